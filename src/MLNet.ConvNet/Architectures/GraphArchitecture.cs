using MLNet.ConvNet.Common;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet;

/// <summary>
/// An architecture given as a list of built-in layers rather than written as a subclass: what the ONNX import returns
/// (<see cref="OnnxNetwork.Import(string, OnnxImportOptions?)"/>), the pretrained <see cref="PretrainedNetworks.ResNet18"/>,
/// or layers you list yourself. Layers may name their inputs (<see cref="LayerSpec.Inputs"/>), so residual networks are
/// described too. A model trained on one keeps the whole description in its .zip and loads without registering anything.
/// It may carry pretrained weights for its layers, which training starts from.
/// </summary>
/// <remarks>
/// The last layer scores the classes with <see cref="Activation.Softmax"/>: a <see cref="Dense"/> layer, or a pooling of a
/// convolution with one filter per class (SqueezeNet's head). For another number of classes than it has,
/// <see cref="CreateLayers"/> gives that layer as many units or filters, freshly initialised; every other layer keeps
/// its pretrained weights.
/// </remarks>
public sealed class GraphArchitecture : ConvNetArchitecture
{
    private readonly IReadOnlyList<LayerSpec> _layers;
    private readonly IReadOnlyList<WeightTensor>? _weights;

    /// <summary>Creates the architecture.</summary>
    /// <param name="name">The name it is registered, logged and saved under.</param>
    /// <param name="inputShape">The images it is written for (the network is built for whatever images training gives it).</param>
    /// <param name="layers">The layers, first to last; the last must be a Dense layer with a softmax.</param>
    /// <param name="defaultEpochs">Epochs when the trainer's options give none. Defaults to 10.</param>
    /// <param name="pretrainedWeights">Weights to start training from (see <see cref="ConvNetArchitecture.GetPretrainedWeights"/>). Defaults to null.</param>
    /// <exception cref="ArgumentException">The name is empty or the list has no layers.</exception>
    public GraphArchitecture(string name, ImageShape inputShape, IReadOnlyList<LayerSpec> layers, int defaultEpochs = 10, IReadOnlyList<WeightTensor>? pretrainedWeights = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A GraphArchitecture needs a name.", nameof(name));
        if (layers.Count == 0 || layers.Any(l => l is null))
            throw new ArgumentException($"GraphArchitecture '{name}' needs at least one layer, and no null ones.", nameof(layers));
        Name = name;
        InputShape = inputShape;
        DefaultEpochs = Ranges.Check(defaultEpochs, defaultEpochs >= 1, nameof(defaultEpochs), "at least 1");
        _layers = layers.ToList();
        _weights = pretrainedWeights?.ToList();
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override ImageShape InputShape { get; }

    /// <inheritdoc />
    public override int DefaultEpochs { get; }

    /// <summary>The layers as given, the classifier last.</summary>
    public IReadOnlyList<LayerSpec> Layers => _layers;

    /// <summary>Whether the architecture carries weights to start from.</summary>
    public bool HasPretrainedWeights => _weights is not null;

    /// <summary>
    /// The layers, with the classifier resized to <paramref name="numberOfClasses"/> when it has another number: the last
    /// Dense layer, or the convolution with one filter per class that the last layers pool (SqueezeNet's), freshly
    /// initialised and no longer pretrained.
    /// </summary>
    public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses)
    {
        int at = ClassifierIndex();
        LayerSpec? resized = at < 0 ? null : _layers[at] switch
        {
            Dense head when head.Units != numberOfClasses => new Dense(numberOfClasses),
            Conv2D head when head.Filters != numberOfClasses && head.Groups == 1 => new Conv2D(numberOfClasses, head.KernelSize, head.Strides, head.Padding)
            {
                ExplicitPadding = head.ExplicitPadding, UseBias = head.UseBias, Dilation = head.Dilation,
            },
            _ => null,
        };
        if (resized is null)
            return _layers;
        var layers = _layers.ToList();
        layers[at] = resized.With(_layers[at].Name, _layers[at].Inputs, _layers[at].Activation, pretrained: false);
        return layers;
    }

    /// <summary>The last layer with weights, looking back from the end through layers without any that take one input.</summary>
    private int ClassifierIndex()
    {
        int at = _layers.Count - 1;
        while (at > 0 && _layers[at] is GlobalAveragePooling2D or Flatten or Dropout or Identity && _layers[at].Inputs is null or [_])
            at--;
        return _layers[at] is Dense or Conv2D ? at : -1;
    }

    /// <inheritdoc />
    public override IReadOnlyList<WeightTensor>? GetPretrainedWeights(ImageShape inputShape) => _weights;

    /// <summary>
    /// This architecture with a classifier on top of its last layer: global average pooling (for image-shaped output),
    /// optional dropout, and a dense softmax layer (sized for the label's classes when the network is built). Use it on a
    /// backbone, a network without a classifier of its own such as an imported feature extractor.
    /// </summary>
    /// <param name="dropout">The dropout rate before the dense layer; 0 for none. Defaults to 0.2.</param>
    /// <param name="name">The new architecture's name. Defaults to null: this one's.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rate is outside [0, 1).</exception>
    public GraphArchitecture WithClassifierHead(double dropout = 0.2, string? name = null)
    {
        var layers = new List<LayerSpec>(_layers) { new GlobalAveragePooling2D { Name = "head_pool" } };
        if (dropout > 0)
            layers.Add(new Dropout(dropout) { Name = "head_dropout" });
        layers.Add(new Dense(2) { Name = "head", Activation = Activation.Softmax });
        return new GraphArchitecture(name ?? Name, InputShape, layers, DefaultEpochs, _weights);
    }
}
