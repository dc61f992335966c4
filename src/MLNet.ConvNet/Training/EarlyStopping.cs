using System.Globalization;
using MLNet.ConvNet.Architectures;

namespace MLNet.ConvNet.Training;

/// <summary>
/// Stops training when a metric has not improved for a number of epochs, and keeps the best epoch's weights
/// so that they can be restored at the end (Keras' EarlyStopping with restore_best_weights).
/// </summary>
internal sealed class EarlyStopping
{
    private readonly EarlyStoppingSettings _settings;

    public EarlyStopping(EarlyStoppingSettings settings) => _settings = settings;

    /// <summary>Everything needed to continue after a checkpoint.</summary>
    public sealed record State(double? Best, int BestEpoch, int Wait, IReadOnlyList<WeightTensor>? BestWeights);

    public State Current { get; private set; } = new(null, 0, 0, null);

    public bool ShouldStop => Current.Wait >= _settings.Patience;

    public void Restore(State state) => Current = state;

    /// <summary>Records an epoch; returns whether it is the best so far.</summary>
    public bool Update(EpochMetrics epoch, ConvNetModule network)
    {
        double value = _settings.Metric.Of(epoch);
        if (_settings.Metric.Improves(value, Current.Best, _settings.MinDelta))
        {
            Current = new State(value, epoch.Epoch, 0, _settings.RestoreBestWeights ? network.SnapshotWeights() : null);
            return true;
        }
        Current = Current with { Wait = Current.Wait + 1 };
        return false;
    }
}

/// <summary>Resolved early-stopping settings.</summary>
internal sealed record EarlyStoppingSettings(TrainingMetric Metric, int Patience, double MinDelta, bool RestoreBestWeights)
{
    /// <summary>For the training log and a checkpoint's fingerprint.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"on {Metric}, patience {Patience}, min delta {MinDelta:R}, {(RestoreBestWeights ? "restoring" : "not restoring")} the best weights");
}
