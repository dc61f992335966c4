namespace MLNet.ConvNet;

/// <summary>Where training stands, reported after every batch to <see cref="ConvNetTrainer.Options.Progress"/>.</summary>
/// <param name="Epoch">The current epoch, starting at 1.</param>
/// <param name="Epochs">The number of epochs planned (early stopping may end sooner).</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in one epoch.</param>
/// <param name="Loss">Mean training loss of the epoch so far.</param>
/// <param name="Accuracy">Training accuracy of the epoch so far.</param>
/// <param name="LearningRate">The learning rate of the last batch.</param>
/// <param name="Elapsed">Time since training started (this run, not counting resumed epochs).</param>
/// <param name="Remaining">Estimated time to the last planned epoch, from the pace so far.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double LearningRate, TimeSpan Elapsed, TimeSpan Remaining);
