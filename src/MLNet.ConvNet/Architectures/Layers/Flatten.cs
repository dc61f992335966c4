using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>Flattens everything but the batch dimension, as Keras <c>Flatten()</c>.</summary>
public sealed class Flatten : LayerSpec, IBuiltInLayer
{
    /// <inheritdoc />
    public override string TypeName => "Flatten";

    /// <inheritdoc />
    public override string NamePrefix => "flatten";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => nn.Flatten();

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("Flatten", [input], name, new Dictionary<string, object> { ["axis"] = 1L });

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new Flatten();

    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Flatten", ReadFlatten), new("Reshape", ReadReshape)];

    /// <summary>Flatten of something already flat (after a global average pool here) passes on; otherwise it is a layer.</summary>
    private static void ReadFlatten(IOnnxNode node)
    {
        if (node.Int("axis") is { } axis && axis != 1)
            throw node.Refuse($"axis {axis}; flattening everything after the batch (axis 1) is read");
        FlattenOrPassOn(node);
    }

    /// <summary>A Reshape to [N, everything] is a Flatten; reshapes the import does not recognise are refused.</summary>
    private static void ReadReshape(IOnnxNode node)
    {
        var target = node.Longs(1);
        long features = node.ShapeOf(0).Aggregate(1L, (a, b) => a * b);
        if (target is not [var batch, var rest] || !(rest == -1 || rest == features) || batch is not (-1 or 0 or 1) || batch == -1 && rest == -1)
            throw node.Refuse($"a reshape to [{string.Join(", ", target ?? [])}] of [N, {string.Join(", ", node.ShapeOf(0))}]; reshapes to [N, -1] (a flatten) and a channel shuffle are read");
        FlattenOrPassOn(node);
    }

    private static void FlattenOrPassOn(IOnnxNode node)
    {
        if (node.ShapeOf(0).Length == 1)
            node.PassOn(0);
        else
            node.AddLayer(new Flatten());
    }
}
