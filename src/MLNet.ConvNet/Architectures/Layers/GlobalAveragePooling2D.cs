using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// The mean of each channel over the whole image, as Keras <c>GlobalAveragePooling2D()</c>: <c>[channels, height,
/// width]</c> becomes <c>[channels]</c>, so a <see cref="Dense"/> layer can follow with no <see cref="Flatten"/>, and
/// the network works for any image size. No parameters.
/// </summary>
public sealed class GlobalAveragePooling2D : LayerSpec
{
    /// <inheritdoc />
    public override string TypeName => "GlobalAveragePooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "global_average_pooling2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        return new ChannelMeans();
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("Flatten", [graph.AddNode("GlobalAveragePool", [input], $"{name}.pooled")], name, new Dictionary<string, object> { ["axis"] = 1L });

    private sealed class ChannelMeans() : nn.Module<Tensor, Tensor>("global_average_pooling2d")
    {
        public override Tensor forward(Tensor input) => input.mean([2, 3]);
    }
}
