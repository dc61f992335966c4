using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// The mean of each channel over the whole image, as Keras <c>GlobalAveragePooling2D(keepdims)</c>: <c>[channels,
/// height, width]</c> becomes <c>[channels]</c>, so a <see cref="Dense"/> layer can follow with no <see cref="Flatten"/>,
/// and the network works for any image size; with <see cref="KeepDims"/>, <c>[channels, 1, 1]</c>, the shape a
/// squeeze-and-excitation block's convolutions take. No parameters.
/// </summary>
public sealed class GlobalAveragePooling2D : LayerSpec, IBuiltInLayer
{
    /// <summary>Whether the output keeps a 1x1 image ([channels, 1, 1]) rather than a flat vector. Defaults to false.</summary>
    public bool KeepDims { get; init; }

    /// <inheritdoc />
    public override string TypeName => "GlobalAveragePooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "global_average_pooling2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        return new ChannelMeans(KeepDims);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
    {
        if (KeepDims)
            return graph.AddNode("GlobalAveragePool", [input], name);
        return graph.AddNode("Flatten", [graph.AddNode("GlobalAveragePool", [input], $"{name}.pooled")], name, new Dictionary<string, object> { ["axis"] = 1L });
    }

    internal override void WriteSettings(LayerSettings settings)
    {
        if (KeepDims)
            settings.Set("keepDims", true);
    }

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new GlobalAveragePooling2D { KeepDims = settings.Bool("keepDims", false) };

    // The import marks a global pool that only a Flatten reads with keepdims 0 (Onnx/Internals/OnnxRewrites).
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders =>
    [
        new("GlobalAveragePool", node => node.AddLayer(new GlobalAveragePooling2D { KeepDims = node.Int("keepdims") is not 0 })),
        new("ReduceMean", node =>
        {
            var axes = node.Ints("axes") ?? node.Longs(1) ?? [];
            if (node.ShapeOf(0).Length != 3 || axes.Select(a => a < 0 ? a + 4 : a).Order().ToArray() is not [2, 3])
                throw node.Refuse($"axes [{string.Join(", ", axes)}] of [N, {string.Join(", ", node.ShapeOf(0))}]; the mean over an image's height and width (axes 2 and 3) is read");
            node.AddLayer(new GlobalAveragePooling2D { KeepDims = node.Int("keepdims") is not 0 });
        }),
    ];

    private sealed class ChannelMeans(bool keepDims) : nn.Module<Tensor, Tensor>("global_average_pooling2d")
    {
        public override Tensor forward(Tensor input) => input.mean([2, 3], keepdim: keepDims);
    }
}
