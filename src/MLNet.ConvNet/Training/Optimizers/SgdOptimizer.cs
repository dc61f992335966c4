using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.ConvNet;

/// <summary>Stochastic gradient descent, with optional (Nesterov) momentum.</summary>
public sealed class SgdOptimizer : ConvNetOptimizer
{
    /// <summary>Creates SGD.</summary>
    /// <param name="momentum">Momentum factor; in [0, 1). Defaults to 0: plain SGD.</param>
    /// <param name="nesterov">Use Nesterov momentum; needs <paramref name="momentum"/> above 0. Defaults to false.</param>
    /// <param name="weightDecay">An L2 penalty added to the gradient; 0 or more. Defaults to 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public SgdOptimizer(double momentum = 0, bool nesterov = false, double weightDecay = 0)
    {
        Momentum = Check(momentum, momentum is >= 0 and < 1, nameof(momentum), "in [0, 1)");
        Check(momentum, !nesterov || momentum > 0, nameof(momentum), "above 0 when nesterov is set");
        Nesterov = nesterov;
        WeightDecay = Check(weightDecay, weightDecay >= 0 && double.IsFinite(weightDecay), nameof(weightDecay), "0 or more");
    }

    /// <summary>Momentum factor. Defaults to 0.</summary>
    public double Momentum { get; }

    /// <summary>Whether momentum is Nesterov's. Defaults to false.</summary>
    public bool Nesterov { get; }

    /// <summary>The L2 penalty added to the gradient. Defaults to 0.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public override string Name => "SGD";

    private protected override string Settings => $"momentum {Format(Momentum)}, nesterov {Nesterov}, weight decay {Format(WeightDecay)}";

    internal override OptimizerHelper Create(IEnumerable<Parameter> parameters, double learningRate)
        => new Training.LiveScalarSteps.Sgd(parameters, learningRate, Momentum, WeightDecay, Nesterov);

    // Settings not given here are this optimizer's own: add_param_group fills them in from its defaults.
    internal override ParamGroup Group(IEnumerable<Parameter> parameters, double learningRate)
        => new TorchSharp.Modules.SGD.ParamGroup(parameters, new TorchSharp.Modules.SGD.Options { LearningRate = learningRate });
}
