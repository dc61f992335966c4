using static TorchSharp.torch;

namespace MLNet.ConvNet;

/// <summary>
/// One mini-batch as the training loop holds it, passed to each <see cref="TrainingCallback"/> event. Its tensors live
/// until the batch's step is done: read or replace them during the call, never keep them.
/// </summary>
public sealed class TrainingBatch
{
    private Tensor _images;
    private Tensor? _targets;

    internal TrainingBatch(int epoch, int index, Tensor images, Tensor labels, int classes, Random random)
    {
        Epoch = epoch;
        Index = index;
        _images = images;
        Labels = labels;
        Classes = classes;
        Random = random;
    }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch, from 0.</summary>
    public int Index { get; }

    /// <summary>The learning rate this batch's step uses (the schedule's, for the new layers when fine-tuning).</summary>
    public double LearningRate { get; internal set; }

    /// <summary>Why the library's own callback (the learning-rate finder) ends training after this batch; null to go on.</summary>
    internal string? StopReason { get; private set; }

    /// <summary>Ends training after this batch, without closing its epoch.</summary>
    internal void StopAfterThisBatch(string reason) => StopReason ??= reason;

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>
    /// The images the network will see: float32, N x C x H x W, on the training device, already augmented. Set it to a
    /// tensor of the same shape to train on other images.
    /// </summary>
    /// <exception cref="ArgumentException">The new tensor's shape differs.</exception>
    public Tensor Images
    {
        get => _images;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!value.shape.SequenceEqual(_images.shape))
                throw new ArgumentException($"The batch's images must keep their shape [{string.Join(", ", _images.shape)}]; got [{string.Join(", ", value.shape)}].", nameof(value));
            _images = value;
        }
    }

    /// <summary>Each image's class, 0-based, int64, length N (the label key less one).</summary>
    public Tensor Labels { get; }

    /// <summary>
    /// What the network is taught for each image, as class probabilities (float32, N x classes, each row summing to 1),
    /// or null for the labels themselves (one-hot, then label-smoothed if <c>LabelSmoothing</c> is set). Set by
    /// label-mixing augmentations; the loss is the cross-entropy against them, and the running accuracy counts an image
    /// right when the network's top class is its target's top class.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not N x classes.</exception>
    public Tensor? Targets
    {
        get => _targets;
        set
        {
            if (value is not null && (value.ndim != 2 || value.shape[0] != _images.shape[0] || value.shape[1] != Classes))
                throw new ArgumentException($"Targets are {_images.shape[0]} x {Classes} class probabilities; got [{string.Join(", ", value.shape)}].", nameof(value));
            _targets = value;
        }
    }

    /// <summary>The network's outputs before the softmax, N x classes; set from <see cref="TrainingCallback.OnLossComputed"/> on.</summary>
    public Tensor? Logits { get; internal set; }

    /// <summary>The batch's loss, a scalar; set from <see cref="TrainingCallback.OnLossComputed"/> on, where a callback may replace it.</summary>
    public Tensor? Loss { get; set; }

    /// <summary>
    /// A random stream of the run, seeded by (seed, epoch) and shared in order by the callbacks, so that a callback that
    /// draws from it trains the same way again and after a resume.
    /// </summary>
    public Random Random { get; }
}
