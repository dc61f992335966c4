namespace MLNet.ConvNet;

/// <summary>What a training run is about to do, for <see cref="TrainingCallback.OnFitStarted"/>.</summary>
/// <param name="FirstEpoch">The first epoch this run trains (after the fitted run's for a warm start, after the checkpoint's for a resume).</param>
/// <param name="LastEpoch">The last epoch it will train unless stopped.</param>
/// <param name="BatchesPerEpoch">The batches of every epoch.</param>
/// <param name="Rows">The training rows.</param>
/// <param name="Classes">The number of classes.</param>
/// <param name="Seed">The run's seed.</param>
public sealed record TrainingRun(int FirstEpoch, int LastEpoch, int BatchesPerEpoch, int Rows, int Classes, int Seed);
