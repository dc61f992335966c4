namespace MLNet.ConvNet.Training;

/// <summary>The learning-rate finder on the loop's seam: records each batch's rate and loss, and stops at divergence or after the last step.</summary>
internal sealed class LearningRateFinderCallback(LearningRateFinder finder) : TrainingCallback
{
    private double _average;
    private double _lowest = double.MaxValue;

    public List<double> Rates { get; } = [];
    public List<double> Losses { get; } = [];
    public List<double> RawLosses { get; } = [];
    public bool Diverged { get; private set; }

    public override void OnLossComputed(TrainingBatch batch)
    {
        double loss = batch.Loss!.item<float>();
        int step = Rates.Count;
        _average = finder.Smoothing * _average + (1 - finder.Smoothing) * loss;
        double smoothed = _average / (1 - Math.Pow(finder.Smoothing, step + 1));
        if (!double.IsFinite(smoothed) || (step > 0 && smoothed > finder.DivergenceFactor * _lowest))
        {
            // Diverged: this batch is left out of the curve, and the run ends after it.
            Diverged = true;
            batch.StopAfterThisBatch($"the loss diverged at learning rate {batch.LearningRate:G3} (smoothed {smoothed:G4}, more than {finder.DivergenceFactor} times the lowest, {_lowest:G4})");
            return;
        }
        _lowest = Math.Min(_lowest, smoothed);
        Rates.Add(batch.LearningRate);
        Losses.Add(smoothed);
        RawLosses.Add(loss);
        if (Rates.Count == finder.Steps)
            batch.StopAfterThisBatch($"the learning-rate search took its {finder.Steps} steps");
    }
}
