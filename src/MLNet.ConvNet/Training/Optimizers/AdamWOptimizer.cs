using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.ConvNet;

/// <summary>AdamW: Adam with weight decay decoupled from the gradient.</summary>
public sealed class AdamWOptimizer : AdaptiveMomentOptimizer
{
    /// <summary>Creates AdamW.</summary>
    /// <param name="beta1">Decay rate of the first-moment estimates; in [0, 1). Defaults to 0.9.</param>
    /// <param name="beta2">Decay rate of the second-moment estimates; in [0, 1). Defaults to 0.999.</param>
    /// <param name="epsilon">Added to the denominator for numerical stability; positive. Defaults to 1e-7 (Keras).</param>
    /// <param name="weightDecay">Decoupled weight decay; 0 or more. Defaults to 0.01, as PyTorch.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public AdamWOptimizer(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecay = 0.01)
        : base(beta1, beta2, epsilon, weightDecay)
    {
    }

    /// <inheritdoc />
    public override string Name => "AdamW";

    internal override OptimizerHelper Create(IEnumerable<Parameter> parameters, double learningRate)
        => new Training.LiveScalarSteps.AdamW(parameters, learningRate, Beta1, Beta2, Epsilon, WeightDecay);

    // Settings not given here are this optimizer's own: add_param_group fills them in from its defaults.
    internal override ParamGroup Group(IEnumerable<Parameter> parameters, double learningRate)
        => new TorchSharp.Modules.AdamW.ParamGroup(parameters, new TorchSharp.Modules.AdamW.Options { LearningRate = learningRate });
}
