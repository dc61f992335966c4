using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// One layer of an architecture, described as data. The shared network builds the
/// TorchSharp module from the shape that reaches the layer, so no layer needs a hand-computed input size.
/// </summary>
/// <remarks>Subclass it to add a layer type of your own; see docs/architectures.md.</remarks>
public abstract class LayerSpec
{
    /// <summary>The Keras-style type shown in the summary, such as <c>Conv2D</c>.</summary>
    public abstract string TypeName { get; }

    /// <summary>The prefix of the layer's name in the summary, such as <c>conv2d</c> (then <c>conv2d_1</c>, ...).</summary>
    public abstract string NamePrefix { get; }

    /// <summary>The activation applied after the layer. Defaults to <see cref="Activation.None"/>.</summary>
    public Activation Activation { get => _activation; init => _activation = value ?? throw new ArgumentNullException(nameof(Activation)); }

    private Activation _activation = Activation.None;
    private string? _name;
    private IReadOnlyList<string>? _inputs;
    private bool _pretrained;

    /// <summary>
    /// The layer's name in the summary, the weights and the ONNX export. Defaults to null: the Keras-style name from
    /// <see cref="NamePrefix"/> (<c>conv2d</c>, then <c>conv2d_1</c>, ...). Names are unique within a network.
    /// </summary>
    public string? Name { get => _name; init => _name = value; }

    /// <summary>
    /// The layers whose outputs this layer takes, by name, or <see cref="NetworkInput"/> for the images. Defaults to
    /// null: the layer before it (the first layer takes the images). Layers that all take the one before make a plain
    /// stack; naming inputs makes a graph, such as a residual block whose <see cref="Add"/> takes a convolution's output
    /// and the block's input. Every input must be a layer earlier in the list.
    /// </summary>
    public IReadOnlyList<string>? Inputs { get => _inputs; init => _inputs = value?.ToArray(); }

    /// <summary>
    /// Whether the layer's weights come from a pretrained network (<see cref="ConvNetArchitecture.GetPretrainedWeights"/>):
    /// fine-tuning (<see cref="FineTuning"/>) trains the other layers first with these frozen. Defaults to false.
    /// </summary>
    public bool Pretrained { get => _pretrained; init => _pretrained = value; }

    /// <summary>A copy of this layer with the settings every layer has replaced (for readers that build layers from data).</summary>
    internal LayerSpec With(string? name, IReadOnlyList<string>? inputs, Activation activation, bool pretrained)
    {
        var copy = (LayerSpec)MemberwiseClone();
        copy._name = name;
        copy._inputs = inputs?.ToArray();
        copy._activation = activation;
        copy._pretrained = pretrained;
        return copy;
    }

    /// <summary>The name <see cref="Inputs"/> gives the network's input images.</summary>
    public const string NetworkInput = "input";

    /// <summary>Whether the layer joins several inputs (<see cref="Add"/>) rather than transforming one.</summary>
    internal virtual bool Joins => false;

    /// <summary>Joins the outputs of the layers in <see cref="Inputs"/>, whose shapes <see cref="JoinShape"/> accepted.</summary>
    internal virtual Tensor Join(IReadOnlyList<Tensor> inputs) => throw new InvalidOperationException($"{TypeName} takes one input.");

    /// <summary>The shape a join of inputs of <paramref name="shapes"/> puts out; by default, they must all be one shape.</summary>
    /// <exception cref="ArgumentException">The join cannot take inputs of these shapes; the message, "joins [..] and [..]: it needs ...", says what it needs.</exception>
    internal virtual long[] JoinShape(IReadOnlyList<long[]> shapes)
        => shapes.All(s => s.SequenceEqual(shapes[0])) ? shapes[0]
            : throw new ArgumentException($"joins {string.Join(" and ", shapes.Select(Format))}: it needs two or more inputs of one shape.");

    /// <summary>Writes the join of <paramref name="inputs"/> into an ONNX graph; returns the output variable.</summary>
    internal virtual string ExportJoin(IOnnxGraph graph, IReadOnlyList<string> inputs, string name) => throw new InvalidOperationException($"{TypeName} takes one input.");

    /// <summary>
    /// Builds the module for an input of <paramref name="inputShape"/> (without the batch dimension:
    /// <c>[channels, height, width]</c> for images, <c>[features]</c> after <see cref="Flatten"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The layer cannot take an input of that shape.</exception>
    public abstract nn.Module<Tensor, Tensor> Build(long[] inputShape);

    /// <summary>
    /// Writes the layer (without its activation) into an ONNX graph, reading its weights from <paramref name="module"/>,
    /// the module <see cref="Build"/> made; returns the output variable. Only the built-in layer types export; a layer
    /// type of your own makes the export fail with a message that names it.
    /// </summary>
    /// <exception cref="NotSupportedException">This layer type has no ONNX form.</exception>
    internal virtual string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => throw new NotSupportedException($"Layer '{name}' ({TypeName}) has no ONNX form: only the built-in layer types export to ONNX.");

    /// <summary>
    /// Writes the layer type's own settings into the model's architecture description (Architectures/ArchitectureFormat.cs);
    /// the type's <see cref="IBuiltInLayer.Read"/> reads them back. Defaults to none.
    /// </summary>
    internal virtual void WriteSettings(LayerSettings settings)
    {
    }

    /// <summary>A parameter or buffer of <paramref name="module"/> (such as "weight" or "running_mean") as a float initializer of the same shape.</summary>
    private protected static string Initializer(IOnnxGraph graph, nn.Module<Tensor, Tensor> module, string parameter, string name)
    {
        var tensor = module.named_parameters().Where(p => p.name == parameter).Select(p => (Tensor)p.parameter)
            .Concat(module.named_buffers().Where(b => b.name == parameter).Select(b => b.buffer)).Single();
        using var values = tensor.detach().cpu().contiguous();
        return graph.AddInitializer(values.data<float>().ToArray(), tensor.shape, $"{name}.{parameter}");
    }

    /// <summary>Throws unless <paramref name="inputShape"/> is an image shape <c>[channels, height, width]</c>.</summary>
    /// <exception cref="ArgumentException">The shape has another rank.</exception>
    protected void RequireImage(long[] inputShape)
    {
        if (inputShape.Length != 3)
            throw new ArgumentException($"{TypeName} expects an input of rank 3 [channels, height, width], got {Format(inputShape)}.", nameof(inputShape));
    }

    /// <summary>Formats a shape for error messages, such as <c>[16, 26, 26]</c>.</summary>
    protected static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
