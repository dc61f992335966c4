using System.Globalization;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet;

/// <summary>
/// An exponential moving average of the weights, as timm's <c>ModelEmaV3</c>: after every optimizer step each weight
/// (and batch-normalisation statistic) of the average moves 1 - decay of the way to the network's, with
/// <see cref="Decay"/> held to (1 + step) / (10 + step) over the first steps when <see cref="WarmUp"/> is on. The
/// average, not the network as trained, is what validation scores, early stopping keeps and the fitted model ends
/// with; checkpoints keep both.
/// </summary>
public sealed record WeightAveraging
{
    private readonly double _decay = 0.999;

    /// <summary>How much of the average each step keeps; in (0, 1). Defaults to 0.999 (about the last 1,000 steps).</summary>
    public double Decay
    {
        get => _decay;
        init => _decay = Ranges.Check(value, value is > 0 and < 1, nameof(Decay), "in (0, 1)");
    }

    /// <summary>Whether the decay starts low, (1 + step) / (10 + step), so that the first weights do not linger. Defaults to true.</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>The decay for the step numbered <paramref name="step"/> (from 0).</summary>
    internal double DecayAt(long step) => WarmUp ? Math.Min(Decay, (1.0 + step) / (10.0 + step)) : Decay;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"decay {Decay:R}{(WarmUp ? " with warm-up" : "")}");
}
