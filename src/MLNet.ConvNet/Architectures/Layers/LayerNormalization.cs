using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Normalises each pixel's channels (or a flat vector's features) to mean 0 and variance 1, then scales and shifts them
/// by a learned weight and bias per channel, as Keras <c>LayerNormalization(axis=-1)</c> does on channels-last images
/// and ConvNeXt's LayerNorm2d on channel-major ones. Unlike <see cref="BatchNormalization"/> it needs no statistics of
/// the batch: training and scoring compute the same. Parameters: a weight and a bias per channel.
/// </summary>
/// <param name="epsilon">Added to the variance before its square root. Defaults to 0.001, as Keras (ConvNeXt's is 1e-6).</param>
public sealed class LayerNormalization(double epsilon = 0.001) : LayerSpec, IBuiltInLayer
{
    /// <summary>Added to the variance before its square root. Defaults to 0.001.</summary>
    public double Epsilon { get; } = Ranges.Check(epsilon, epsilon > 0 && double.IsFinite(epsilon), nameof(epsilon), "a positive finite number");

    /// <inheritdoc />
    public override string TypeName => "LayerNormalization";

    /// <inheritdoc />
    public override string NamePrefix => "layer_normalization";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => inputShape.Length is 3 or 1
        ? new Normalizer(inputShape[0], Epsilon)
        : throw new ArgumentException($"LayerNormalization expects an input of rank 3 [channels, height, width] or rank 1 [features], got {Format(inputShape)}.", nameof(inputShape));

    // Opset 11 has no LayerNormalization: the export writes it out over axis 1, with the weight and bias shaped to broadcast.
    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
    {
        long[] perChannel = inputShape.Length == 3 ? [inputShape[0], 1, 1] : [inputShape[0]];
        var axes = new Dictionary<string, object> { ["axes"] = new long[] { 1 }, ["keepdims"] = 1L };
        string mean = graph.AddNode("ReduceMean", [input], $"{name}.mean", axes);
        string centred = graph.AddNode("Sub", [input, mean], $"{name}.centred");
        string squares = graph.AddNode("Mul", [centred, centred], $"{name}.squares");
        string variance = graph.AddNode("ReduceMean", [squares], $"{name}.variance", axes);
        string padded = graph.AddNode("Add", [variance, graph.AddInitializer(new[] { (float)Epsilon }, [1], $"{name}.epsilon")], $"{name}.padded");
        string normalised = graph.AddNode("Div", [centred, graph.AddNode("Sqrt", [padded], $"{name}.deviation")], $"{name}.normalised");
        string scaled = graph.AddNode("Mul", [normalised, Reshaped(graph, module, "weight", name, perChannel)], $"{name}.scaled");
        return graph.AddNode("Add", [scaled, Reshaped(graph, module, "bias", name, perChannel)], name);
    }

    private static string Reshaped(IOnnxGraph graph, nn.Module<Tensor, Tensor> module, string parameter, string name, long[] shape)
    {
        using var values = module.named_parameters().Single(p => p.name == parameter).parameter.detach().cpu().contiguous();
        return graph.AddInitializer(values.data<float>().ToArray(), shape, $"{name}.{parameter}");
    }

    internal override void WriteSettings(LayerSettings settings) => settings.Set("epsilon", Epsilon);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new LayerNormalization(settings.Double("epsilon"));

    /// <summary>
    /// LayerNormalization over the last axis of flat features, or over the channels of images (what the import makes of
    /// a channels-last stretch, Onnx/Internals/OnnxChannelsLast), with a weight and a bias of one value per channel.
    /// </summary>
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("LayerNormalization", node => ReadOnnx(node, images: false)), new("ChannelLayerNorm", node => ReadOnnx(node, images: true))];

    private static void ReadOnnx(IOnnxNode node, bool images)
    {
        var shape = node.ShapeOf(0);
        if (images ? shape.Length != 3 : shape.Length != 1 || node.Int("axis") is not (-1 or 1))
            throw node.Refuse($"an input of [N, {string.Join(", ", shape)}] and axis {node.Int("axis") ?? -1}; a normalisation over the last axis of flat features, or over each pixel's channels, is read");
        var (weightDims, weight) = node.Weight(1, "scale");
        var bias = node.HasInput(2) ? node.Weight(2, "bias").Values : new float[shape[0]];
        if (weight.Length != shape[0] || bias.Length != shape[0])
            throw node.Refuse($"a scale of [{string.Join(", ", weightDims)}] for {shape[0]} channels; one scale and bias per channel are read");
        string name = node.AddLayer(new LayerNormalization(node.Float("epsilon") ?? 1e-5f));
        node.AddWeight(name, "weight", [shape[0]], weight);
        node.AddWeight(name, "bias", [shape[0]], bias);
    }

    /// <summary>torch's layer_norm over the last axis: of the features, or of each pixel's channels after a permute to channels-last.</summary>
    private sealed class Normalizer : nn.Module<Tensor, Tensor>
    {
        private readonly double _eps;

        public Normalizer(long channels, double eps) : base("layer_normalization")
        {
            _eps = eps;
            weight = nn.Parameter(torch.ones(channels));
            bias = nn.Parameter(torch.zeros(channels));
            RegisterComponents();
        }

#pragma warning disable IDE1006 // the names saved models, checkpoints and the ONNX export know
        private readonly TorchSharp.Modules.Parameter weight, bias;
#pragma warning restore IDE1006

        public override Tensor forward(Tensor input)
        {
            if (input.dim() == 2)
                return nn.functional.layer_norm(input, [input.shape[1]], weight, bias, _eps);
            using var channelsLast = input.permute(0, 2, 3, 1);
            using var normalised = nn.functional.layer_norm(channelsLast, [input.shape[1]], weight, bias, _eps);
            return normalised.permute(0, 3, 1, 2);
        }
    }
}
