using MLNet.ConvNet.Common;

namespace MLNet.ConvNet;

/// <summary>
/// How the learning rate changes during training. Every schedule is a function of the epoch, the batch and
/// the history so far, with no hidden state, so a run resumed from a checkpoint continues exactly.
/// </summary>
public abstract class LearningRateSchedule
{
    private protected LearningRateSchedule() { }

    /// <summary>The options' learning rate throughout (the default).</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs (PyTorch's StepLR).</summary>
    /// <param name="stepSize">Epochs between reductions; at least 1.</param>
    /// <param name="gamma">The factor; in (0, 1]. Defaults to 0.1.</param>
    public static LearningRateSchedule Step(int stepSize, double gamma = 0.1)
    {
        Ranges.Check(stepSize, stepSize >= 1, nameof(stepSize), "at least 1 epoch");
        CheckFactor(gamma, nameof(gamma));
        return new StepSchedule(stepSize, gamma);
    }

    /// <summary>Multiplies the rate by <paramref name="gamma"/> after every epoch (PyTorch's ExponentialLR).</summary>
    /// <param name="gamma">The factor; in (0, 1].</param>
    public static LearningRateSchedule Exponential(double gamma)
    {
        CheckFactor(gamma, nameof(gamma));
        return new ExponentialSchedule(gamma);
    }

    /// <summary>
    /// Multiplies the rate by <paramref name="factor"/> when <paramref name="monitor"/> has not improved by more
    /// than <paramref name="minDelta"/> for <paramref name="patience"/> epochs (Keras' ReduceLROnPlateau).
    /// </summary>
    /// <param name="factor">The factor; in (0, 1). Defaults to 0.1.</param>
    /// <param name="patience">Epochs without improvement before a reduction. Defaults to 2.</param>
    /// <param name="minLearningRate">The rate never goes below this. Defaults to 0.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement. Defaults to 1e-4.</param>
    /// <param name="monitor">The metric watched. Defaults to null: validation loss when there is validation data, else training loss.</param>
    public static LearningRateSchedule ReduceOnPlateau(double factor = 0.1, int patience = 2, double minLearningRate = 0, double minDelta = 1e-4, TrainingMetric? monitor = null)
    {
        Ranges.Check(factor, factor is > 0 and < 1, nameof(factor), "in (0, 1)");
        Ranges.Check(patience, patience >= 1, nameof(patience), "at least 1 epoch");
        Ranges.Check(minLearningRate, minLearningRate >= 0, nameof(minLearningRate), "0 or more");
        Ranges.Check(minDelta, minDelta >= 0, nameof(minDelta), "0 or more");
        return new PlateauSchedule(factor, patience, minLearningRate, minDelta, monitor);
    }

    /// <summary>
    /// The one-cycle policy (PyTorch's OneCycleLR, cosine): the rate climbs from max/<paramref name="divFactor"/>
    /// to <paramref name="maxLearningRate"/> over the first <paramref name="warmupFraction"/> of all batches, then
    /// falls to max/(<paramref name="divFactor"/> x <paramref name="finalDivFactor"/>). Changes every batch.
    /// </summary>
    /// <param name="maxLearningRate">The peak. Defaults to null: the options' learning rate.</param>
    /// <param name="warmupFraction">Share of the batches spent climbing; in (0, 1). Defaults to 0.3.</param>
    /// <param name="divFactor">Start = max / divFactor. Defaults to 25.</param>
    /// <param name="finalDivFactor">End = start / finalDivFactor. Defaults to 1e4.</param>
    public static LearningRateSchedule OneCycle(double? maxLearningRate = null, double warmupFraction = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        Ranges.Check(maxLearningRate, maxLearningRate is null or > 0, nameof(maxLearningRate), "positive (or null for the options' learning rate)");
        Ranges.Check(warmupFraction, warmupFraction is > 0 and < 1, nameof(warmupFraction), "in (0, 1)");
        Ranges.Check(divFactor, divFactor >= 1, nameof(divFactor), "at least 1");
        Ranges.Check(finalDivFactor, finalDivFactor >= 1, nameof(finalDivFactor), "at least 1");
        return new OneCycleSchedule(maxLearningRate, warmupFraction, divFactor, finalDivFactor);
    }

    /// <summary>Whether the rate depends on the number of epochs planned (so a checkpointed run cannot be extended).</summary>
    /// <summary>
    /// The learning-rate finder's ramp: from <paramref name="start"/> at the run's first batch to <paramref name="end"/>
    /// at batch <paramref name="steps"/> - 1, growing by the same factor every batch, whatever the epochs.
    /// </summary>
    internal static LearningRateSchedule Ramp(double start, double end, int steps) => new RampSchedule(start, end, steps);

    internal virtual bool UsesTotalEpochs => false;

    /// <summary>The metric this schedule watches, if any, once resolved against the presence of validation data.</summary>
    internal virtual TrainingMetric? Monitor(bool hasValidation) => null;

    /// <summary>The rate for <paramref name="batch"/> (0-based) of <paramref name="epoch"/> (1-based).</summary>
    internal abstract double Rate(double baseRate, int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochMetrics> history, bool hasValidation);

    private static void CheckFactor(double gamma, string name) => Ranges.Check(gamma, gamma is > 0 and <= 1, name, "in (0, 1]");

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        internal override double Rate(double baseRate, int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochMetrics> history, bool hasValidation) => baseRate;

        public override string ToString() => "constant";
    }

    private sealed class StepSchedule(int stepSize, double gamma) : LearningRateSchedule
    {
        internal override double Rate(double baseRate, int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochMetrics> history, bool hasValidation)
            => baseRate * Math.Pow(gamma, (epoch - 1) / stepSize);

        public override string ToString() => $"step (every {stepSize} epochs x {gamma})";
    }

    private sealed class ExponentialSchedule(double gamma) : LearningRateSchedule
    {
        internal override double Rate(double baseRate, int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochMetrics> history, bool hasValidation)
            => baseRate * Math.Pow(gamma, epoch - 1);

        public override string ToString() => $"exponential (x {gamma} per epoch)";
    }

    private sealed class PlateauSchedule(double factor, int patience, double minRate, double minDelta, TrainingMetric? monitor) : LearningRateSchedule
    {
        internal override TrainingMetric? Monitor(bool hasValidation) => monitor ?? (hasValidation ? TrainingMetric.ValidationLoss : TrainingMetric.Loss);

        // Replays the history, so the rate depends on nothing but the epochs already trained.
        internal override double Rate(double baseRate, int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochMetrics> history, bool hasValidation)
        {
            var metric = monitor ?? (hasValidation ? TrainingMetric.ValidationLoss : TrainingMetric.Loss);
            double rate = baseRate;
            double? best = null;
            int wait = 0;
            foreach (var past in history.Take(epoch - 1))
            {
                double value = metric.Of(past);
                if (metric.Improves(value, best, minDelta))
                {
                    best = value;
                    wait = 0;
                }
                else if (++wait >= patience)
                {
                    rate = Math.Max(rate * factor, minRate);
                    wait = 0;
                }
            }
            return rate;
        }

        public override string ToString() => $"reduce on plateau (x {factor} after {patience} epochs without improvement)";
    }

    private sealed class OneCycleSchedule(double? maxRate, double warmupFraction, double divFactor, double finalDivFactor) : LearningRateSchedule
    {
        internal override bool UsesTotalEpochs => true;

        internal override double Rate(double baseRate, int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochMetrics> history, bool hasValidation)
        {
            double peak = maxRate ?? baseRate;
            double start = peak / divFactor, end = start / finalDivFactor;
            double total = (double)epochs * batchesPerEpoch - 1;
            double step = (double)(epoch - 1) * batchesPerEpoch + batch;
            double warmup = warmupFraction * total;
            return step <= warmup
                ? Cosine(start, peak, warmup == 0 ? 1 : step / warmup)
                : Cosine(peak, end, (step - warmup) / (total - warmup));
        }

        private static double Cosine(double from, double to, double fraction) => to + (from - to) / 2 * (1 + Math.Cos(Math.PI * Math.Clamp(fraction, 0, 1)));

        public override string ToString() => $"one-cycle (peak {maxRate?.ToString() ?? "the learning rate"})";
    }

    private sealed class RampSchedule(double start, double end, int steps) : LearningRateSchedule
    {
        internal override bool UsesTotalEpochs => true;

        internal override double Rate(double baseRate, int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochMetrics> history, bool hasValidation)
        {
            long step = (long)(epoch - 1) * batchesPerEpoch + batch;
            return start * Math.Pow(end / start, Math.Min(1.0, step / (double)Math.Max(1, steps - 1)));
        }

        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ramp ({start:G3} to {end:G3} over {steps} batches)");
    }
}
