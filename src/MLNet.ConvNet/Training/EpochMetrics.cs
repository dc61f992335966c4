namespace MLNet.ConvNet.Training;

/// <summary>What one training epoch measured.</summary>
/// <param name="Epoch">The epoch number, starting at 1.</param>
/// <param name="Loss">Mean categorical cross-entropy over the epoch's training batches.</param>
/// <param name="Accuracy">Fraction of training images classified correctly during the epoch.</param>
/// <param name="LearningRate">The learning rate used in the epoch.</param>
/// <param name="Seconds">Wall-clock seconds the epoch took.</param>
public sealed record EpochMetrics(int Epoch, double Loss, double Accuracy, double LearningRate, double Seconds);
