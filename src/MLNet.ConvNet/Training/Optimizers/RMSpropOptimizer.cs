using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.ConvNet;

/// <summary>RMSprop, as the Keras tutorial trains: the default optimizer.</summary>
public sealed class RMSpropOptimizer : ConvNetOptimizer
{
    /// <summary>Creates RMSprop with Keras' settings unless told otherwise.</summary>
    /// <param name="rho">Discount factor of the running average of squared gradients (PyTorch's alpha); in [0, 1). Defaults to 0.9.</param>
    /// <param name="epsilon">Added to the denominator for numerical stability; positive. Defaults to 1e-7.</param>
    /// <param name="weightDecay">An L2 penalty added to the gradient; 0 or more. Defaults to 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public RMSpropOptimizer(double rho = 0.9, double epsilon = 1e-7, double weightDecay = 0)
    {
        Rho = Check(rho, rho is >= 0 and < 1, nameof(rho), "in [0, 1)");
        Epsilon = Check(epsilon, epsilon > 0 && double.IsFinite(epsilon), nameof(epsilon), "a positive finite number");
        WeightDecay = Check(weightDecay, weightDecay >= 0 && double.IsFinite(weightDecay), nameof(weightDecay), "0 or more");
    }

    /// <summary>Discount factor of the running average of squared gradients. Defaults to 0.9.</summary>
    public double Rho { get; }

    /// <summary>Added to the denominator for numerical stability. Defaults to 1e-7.</summary>
    public double Epsilon { get; }

    /// <summary>The L2 penalty added to the gradient. Defaults to 0.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public override string Name => "RMSprop";

    private protected override string Settings => $"rho {Format(Rho)}, epsilon {Format(Epsilon)}, weight decay {Format(WeightDecay)}";

    internal override OptimizerHelper Create(IEnumerable<Parameter> parameters, double learningRate)
        => new Training.LiveScalarSteps.RMSProp(parameters, learningRate, Rho, Epsilon, WeightDecay);

    // Settings not given here are this optimizer's own: add_param_group fills them in from its defaults.
    internal override ParamGroup Group(IEnumerable<Parameter> parameters, double learningRate)
        => new TorchSharp.Modules.RMSProp.ParamGroup(parameters, new TorchSharp.Modules.RMSProp.Options { LearningRate = learningRate });
}
