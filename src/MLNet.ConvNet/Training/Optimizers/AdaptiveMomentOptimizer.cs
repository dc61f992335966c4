namespace MLNet.ConvNet;

/// <summary>What <see cref="AdamOptimizer"/> and <see cref="AdamWOptimizer"/> share: their settings and how they are checked.</summary>
public abstract class AdaptiveMomentOptimizer : ConvNetOptimizer
{
    private protected AdaptiveMomentOptimizer(double beta1, double beta2, double epsilon, double weightDecay)
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

    /// <summary>Added to the denominator for numerical stability. Defaults to 1e-7 (Keras).</summary>
    public double Epsilon { get; }

    /// <summary>Weight decay: an L2 penalty for Adam, decoupled for AdamW.</summary>
    public double WeightDecay { get; }

    private protected override string Settings => $"beta1 {Format(Beta1)}, beta2 {Format(Beta2)}, epsilon {Format(Epsilon)}, weight decay {Format(WeightDecay)}";
}
