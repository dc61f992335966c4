using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.ConvNet;

/// <summary>Adam; weight decay, if any, is an L2 penalty added to the gradient (see <see cref="AdamWOptimizer"/> for the decoupled kind).</summary>
public sealed class AdamOptimizer : AdaptiveMomentOptimizer
{
    /// <summary>Creates Adam.</summary>
    /// <param name="beta1">Decay rate of the first-moment estimates; in [0, 1). Defaults to 0.9.</param>
    /// <param name="beta2">Decay rate of the second-moment estimates; in [0, 1). Defaults to 0.999.</param>
    /// <param name="epsilon">Added to the denominator for numerical stability; positive. Defaults to 1e-7 (Keras).</param>
    /// <param name="weightDecay">An L2 penalty added to the gradient; 0 or more. Defaults to 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public AdamOptimizer(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecay = 0)
        : base(beta1, beta2, epsilon, weightDecay)
    {
    }

    /// <inheritdoc />
    public override string Name => "Adam";

    internal override OptimizerHelper Create(IEnumerable<Parameter> parameters, double learningRate)
        => new Training.LiveScalarSteps.Adam(parameters, learningRate, Beta1, Beta2, Epsilon, WeightDecay);

    // Settings not given here are this optimizer's own: add_param_group fills them in from its defaults.
    internal override ParamGroup Group(IEnumerable<Parameter> parameters, double learningRate)
        => new TorchSharp.Modules.Adam.ParamGroup(parameters, new TorchSharp.Modules.Adam.Options { LearningRate = learningRate });
}
