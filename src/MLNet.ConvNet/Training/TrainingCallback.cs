namespace MLNet.ConvNet;

/// <summary>
/// A hook into the training loop: override the events you need (each is a no-op by default) and add the callback to
/// <c>ConvNetTrainer.Options.Callbacks</c>. The library's own batch features (<see cref="BatchMixing"/>) are callbacks
/// too, run before the user's, in a fixed order. Every event runs on the training thread; a tensor a
/// <see cref="TrainingBatch"/> holds is valid only during the call (the batch's tensors are freed after its step), so
/// copy what you keep (<c>tensor.detach().cpu()</c> then its values).
/// </summary>
/// <example>
/// Stop on your own metric:
/// <code>
/// sealed class StopAt99 : TrainingCallback
/// {
///     public override void OnEpochEnded(EpochMetrics metrics, TrainingControl control)
///     {
///         if (metrics.Accuracy >= 0.99) control.Stop("training accuracy reached 99%");
///     }
/// }
/// </code>
/// </example>
public abstract class TrainingCallback
{
    /// <summary>Before the first batch of the run (after a resume, of its first epoch).</summary>
    public virtual void OnFitStarted(TrainingRun run)
    {
    }

    /// <summary>
    /// A batch is ready: its images (augmented) and labels. Set <see cref="TrainingBatch.Images"/> and
    /// <see cref="TrainingBatch.Targets"/> to change what the network learns from (as label-mixing augmentations do).
    /// </summary>
    public virtual void OnBatchStarted(TrainingBatch batch)
    {
    }

    /// <summary>The network has scored the batch (<see cref="TrainingBatch.Logits"/>) and the loss is computed; setting <see cref="TrainingBatch.Loss"/> changes what is minimised.</summary>
    public virtual void OnLossComputed(TrainingBatch batch)
    {
    }

    /// <summary>The optimizer has updated the weights with the batch's gradients (not called for a batch whose examples all weigh 0).</summary>
    public virtual void OnStepTaken(TrainingBatch batch)
    {
    }

    /// <summary>An epoch has ended, with its metrics (validation included); <see cref="TrainingControl.Stop"/> ends training after it.</summary>
    public virtual void OnEpochEnded(EpochMetrics metrics, TrainingControl control)
    {
    }

    /// <summary>Training has ended (normally or by a stop; not when it fails or is cancelled), with every epoch's metrics.</summary>
    public virtual void OnFitEnded(IReadOnlyList<EpochMetrics> history)
    {
    }
}
