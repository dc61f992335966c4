namespace MLNet.ConvNet;

/// <summary>What one training epoch measured.</summary>
/// <param name="Epoch">The epoch number, starting at 1.</param>
/// <param name="Loss">Mean loss over the epoch's training batches (weighted by the example weights, when there are some): the task's (<see cref="ConvNetTask"/>): categorical cross-entropy, binary cross-entropy, or a regression's loss on the standardised label.</param>
/// <param name="Accuracy">Fraction of training images classified correctly during the epoch; NaN for a regression, which has none.</param>
/// <param name="LearningRate">The learning rate at the start of the epoch (one-cycle changes it every batch).</param>
/// <param name="Seconds">Wall-clock seconds the epoch took, validation included.</param>
/// <param name="ValidationLoss">Mean loss (the task's, unsmoothed) on the validation data after the epoch; null without validation.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data after the epoch; null without validation, and for a regression.</param>
public sealed record EpochMetrics(int Epoch, double Loss, double Accuracy, double LearningRate, double Seconds, double? ValidationLoss = null, double? ValidationAccuracy = null)
{
    /// <summary>
    /// Whether the epoch trained on augmented images (<see cref="ConvNetTrainer.Options.Augmentation"/>): then
    /// <see cref="Loss"/> and <see cref="Accuracy"/> were measured on the transformed images, not the originals.
    /// </summary>
    public bool Augmented { get; init; }
}
