namespace MLNet.ConvNet;

/// <summary>What one training epoch measured.</summary>
/// <param name="Epoch">The epoch number, starting at 1.</param>
/// <param name="Loss">Mean categorical cross-entropy over the epoch's training batches (weighted by the example weights, when there are some).</param>
/// <param name="Accuracy">Fraction of training images classified correctly during the epoch.</param>
/// <param name="LearningRate">The learning rate at the start of the epoch (one-cycle changes it every batch).</param>
/// <param name="Seconds">Wall-clock seconds the epoch took, validation included.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation data after the epoch; null without validation.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data after the epoch; null without validation.</param>
public sealed record EpochMetrics(int Epoch, double Loss, double Accuracy, double LearningRate, double Seconds, double? ValidationLoss = null, double? ValidationAccuracy = null)
{
    /// <summary>
    /// Whether the epoch trained on augmented images (<see cref="ConvNetTrainer.Options.Augmentation"/>): then
    /// <see cref="Loss"/> and <see cref="Accuracy"/> were measured on the transformed images, not the originals.
    /// </summary>
    public bool Augmented { get; init; }
}
