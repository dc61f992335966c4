using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>Pads height and width with zeros on every side, as Keras <c>ZeroPadding2D(padding)</c>.</summary>
/// <param name="padding">Rows and columns of zeros added on each side.</param>
public sealed class ZeroPadding2D(int padding) : LayerSpec, IBuiltInLayer
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

    internal override void WriteSettings(LayerSettings settings) => settings.Set("padding", Padding);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new ZeroPadding2D(settings.Int("padding"));

    /// <summary>Zeros around the image, the same on every side (none: the input passes on, as DenseNet's pools write it).</summary>
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Pad", node =>
    {
        string mode = node.Text("mode") ?? "constant";
        var pads = node.Ints("pads") ?? node.Longs(1);
        float value = node.Float("value") ?? (node.HasInput(2) && node.IsConstant(2) ? node.Weight(2, "value").Values[0] : 0f);
        if (mode != "constant" || value != 0)
            throw node.Refuse($"mode {mode} and value {value}; padding with zeros is read");
        if (pads is not [0, 0, long top, long left, 0, 0, long bottom, long right] || top != left || top != bottom || top != right || top < 0)
            throw node.Refuse($"pads [{string.Join(", ", pads ?? [])}]; the same zeros on every side of the image are read");
        if (top == 0)
            node.PassOn(0);
        else
            node.AddLayer(new ZeroPadding2D((int)top));
    })];
}
