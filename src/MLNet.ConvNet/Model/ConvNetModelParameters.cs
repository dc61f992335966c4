using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Inspection;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet;

/// <summary>
/// The fitted network, as ML.NET's trainers expose their model parameters (<c>transformer.Model</c>): its
/// architecture, classes, summary and training history, and read access to every weight as an array with its shape.
/// </summary>
public sealed class ConvNetModelParameters
{
    internal ConvNetModelParameters(ConvNetModule network, TrainingRecord training, ConvNetTask task)
    {
        Network = network;
        Training = training;
        Task = task;
    }

    /// <summary>What the network learned: multiclass, binary or regression, with the calibration or label scale it fitted.</summary>
    public ConvNetTask Task { get; }

    /// <summary>
    /// The smallest and largest feature value the network was trained on (null for models saved before the library
    /// recorded it). Scoring data on another scale (0..255 against 0..1) gets a warning in the MLContext's log.
    /// </summary>
    public FeatureRange? TrainingFeatureRange => Training.FeatureRange;

    /// <summary>
    /// The augmentation the training images went through (<see cref="ConvNetTrainer.Options.Augmentation"/>); null when
    /// they went through none, or for models saved before the library recorded it.
    /// </summary>
    public ImageAugmentation? Augmentation => Training.Augmentation;

    /// <summary>
    /// How the network was trained, in one line: architecture, input, epochs, batch, optimizer, learning rate,
    /// schedule, augmentation, early stopping and seed, as the training log printed it. Null for models saved before
    /// the library recorded it.
    /// </summary>
    public string? TrainingSettings => Training.Settings;

    /// <summary>What scoring averages over (<c>Options.TestTimeAugmentation</c>); None for models saved before format 0x00010006.</summary>
    public TestTimeAugmentation TestTimeAugmentation => Training.TestTimeAugmentation;

    /// <summary>The architecture the network was built from.</summary>
    public ConvNetArchitecture Architecture => Network.Architecture;

    /// <summary>The shape of one input image.</summary>
    public ImageShape InputShape => Network.InputShape;

    /// <summary>
    /// The number of classes the network scores, one output each, for a multiclass model; 1 for a binary model (its one
    /// output is the log-odds of true) and for a regression (its one output is the number).
    /// </summary>
    public int NumberOfClasses => Network.NumberOfClasses;

    /// <summary>Every layer's name, type, output shape and parameter count, in order, as the summary shows them.</summary>
    public IReadOnlyList<LayerSummary> Layers => Network.Layers;

    /// <summary>The Keras-style summary: every layer's output shape and parameter count, then the totals.</summary>
    public string Summary => Network.Summary();

    /// <summary>Loss, accuracy, learning rate and seconds of every training epoch, in order.</summary>
    public IReadOnlyList<EpochMetrics> History => Training.History;

    /// <summary>The epoch whose weights the network holds: the last one trained, or the best one early stopping restored.</summary>
    public int FinalEpoch => Training.FinalEpoch;

    /// <summary>
    /// A copy of every weight tensor, in the network's order, such as <c>conv2d.weight</c> with shape
    /// <c>[16, 1, 3, 3]</c> (filters, input channels, height, width) or <c>dense.bias</c> with shape <c>[64]</c>.
    /// Values are row-major; changing the copy changes nothing in the model.
    /// </summary>
    public IReadOnlyList<WeightTensor> GetWeights()
        => Network.SnapshotWeights().Select(t => new WeightTensor(t.Name, t.Shape, t.Values)).ToList();

    /// <summary>
    /// Every layer's output for <paramref name="images"/> (image after image, channel-major, <see cref="InputShape"/>
    /// each, scaled as for training), in the order of <see cref="Layers"/>: one forward pass without gradients.
    /// Each output's shape is the summary's with the number of images in front.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="images"/> does not hold whole images.</exception>
    public IReadOnlyList<LayerActivation> GetActivations(float[] images) => NetworkProbe.Activations(Network, images);

    /// <summary>
    /// A saliency map: how strongly each pixel of <paramref name="image"/> moves the score of class
    /// <paramref name="classIndex"/> (the absolute gradient of its logit, the largest over the channels).
    /// </summary>
    /// <param name="image">One image, channel-major, <see cref="InputShape"/>.</param>
    /// <param name="classIndex">The class, 0-based in the label's key order (the predicted one is the arg-max of Score); a tagger's tag; 0 for a binary model or a regression.</param>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not one image of the model's shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class.</exception>
    public SaliencyMap GetSaliency(float[] image, int classIndex) => NetworkProbe.Gradient(Network, image, classIndex, Task.ProbeScore);

    /// <summary>
    /// Grad-CAM: which regions of <paramref name="image"/> the feature maps of <paramref name="layerName"/> (by default
    /// the last convolution, else the last layer that puts out feature maps) tie to class <paramref name="classIndex"/>,
    /// stretched to the image's size. Coarser than <see cref="GetSaliency"/>, and steadier.
    /// </summary>
    /// <param name="image">One image, channel-major, <see cref="InputShape"/>.</param>
    /// <param name="classIndex">The class, 0-based in the label's key order.</param>
    /// <param name="layerName">A layer from <see cref="Layers"/> with image-shaped output; null for the last convolution.</param>
    /// <exception cref="ArgumentException">The image is not one image of the model's shape, or the layer is unknown or not image-shaped.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class.</exception>
    public SaliencyMap GetGradCam(float[] image, int classIndex, string? layerName = null) => NetworkProbe.GradCam(Network, image, classIndex, layerName, Task.ProbeScore);

    internal ConvNetModule Network { get; }

    internal TrainingRecord Training { get; }
}
