using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.ConvNet;

/// <summary>AdamW: Adam with weight decay decoupled from the gradient.</summary>
public sealed class AdamWOptimizer : ConvNetOptimizer
{
    /// <summary>Creates AdamW.</summary>
    /// <param name="beta1">Decay rate of the first-moment estimates; in [0, 1). Defaults to 0.9.</param>
    /// <param name="beta2">Decay rate of the second-moment estimates; in [0, 1). Defaults to 0.999.</param>
    /// <param name="epsilon">Added to the denominator for numerical stability; positive. Defaults to 1e-7 (Keras).</param>
    /// <param name="weightDecay">Decoupled weight decay; 0 or more. Defaults to 0.01, as PyTorch.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public AdamWOptimizer(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecay = 0.01)
    {
        Beta1 = Check(beta1, beta1 is >= 0 and < 1, nameof(beta1), "in [0, 1)");
        Beta2 = Check(beta2, beta2 is >= 0 and < 1, nameof(beta2), "in [0, 1)");
        Epsilon = Check(epsilon, epsilon > 0 && double.IsFinite(epsilon), nameof(epsilon), "a positive finite number");
        WeightDecay = Check(weightDecay, weightDecay >= 0 && double.IsFinite(weightDecay), nameof(weightDecay), "0 or more");
    }

    /// <summary>Decay rate of the first-moment estimates. Defaults to 0.9.</summary>
    public double Beta1 { get; }

    /// <summary>Decay rate of the second-moment estimates. Defaults to 0.999.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for numerical stability. Defaults to 1e-7.</summary>
    public double Epsilon { get; }

    /// <summary>Decoupled weight decay. Defaults to 0.01.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public override string Name => "AdamW";

    private protected override string Settings => $"beta1 {Format(Beta1)}, beta2 {Format(Beta2)}, epsilon {Format(Epsilon)}, weight decay {Format(WeightDecay)}";

    internal override OptimizerHelper Create(IEnumerable<Parameter> parameters, double learningRate)
        => torch.optim.AdamW(parameters, lr: learningRate, beta1: Beta1, beta2: Beta2, eps: Epsilon, weight_decay: WeightDecay);
}
