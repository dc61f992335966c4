using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>Pads height and width with zeros on every side, as Keras <c>ZeroPadding2D(padding)</c>.</summary>
/// <param name="padding">Rows and columns of zeros added on each side.</param>
public sealed class ZeroPadding2D(int padding) : LayerSpec
{
    /// <summary>Rows and columns of zeros added on each side.</summary>
    public int Padding { get; } = Ranges.Check(padding, padding >= 0, nameof(padding), "0 or more");

    /// <inheritdoc />
    public override string TypeName => "ZeroPadding2D";

    /// <inheritdoc />
    public override string NamePrefix => "zero_padding2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        return nn.ZeroPad2d(Padding);
    }

    // Opset 11's Pad takes the pads as an input: begin of each axis (N, C, H, W), then the end of each.
    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("Pad", [input, graph.AddInitializer(new long[] { 0, 0, Padding, Padding, 0, 0, Padding, Padding }, [8], $"{name}.pads")], name,
            new Dictionary<string, object> { ["mode"] = "constant" });
}
