using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Puts the outputs of two or more earlier layers side by side along the channels, as Keras <c>Concatenate()</c> over
/// channels: images of one height and width (or flat vectors) in, their channels one after another out. DenseNet,
/// SqueezeNet's fire modules, GoogLeNet's inception blocks and ShuffleNet's units join this way. Name the inputs in
/// <see cref="LayerSpec.Inputs"/>. No parameters.
/// </summary>
public sealed class Concatenate : LayerSpec, IBuiltInLayer
{
    /// <inheritdoc />
    public override string TypeName => "Concatenate";

    /// <inheritdoc />
    public override string NamePrefix => "concatenate";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => nn.Identity();

    internal override bool Joins => true;

    internal override long[] JoinShape(IReadOnlyList<long[]> shapes)
    {
        if (shapes.Any(s => s.Length != shapes[0].Length || !s.Skip(1).SequenceEqual(shapes[0].Skip(1))))
            throw new ArgumentException($"joins {string.Join(" and ", shapes.Select(Format))}: it needs inputs that differ only in their channels.");
        return [shapes.Sum(s => s[0]), .. shapes[0].Skip(1)];
    }

    internal override Tensor Join(IReadOnlyList<Tensor> inputs) => torch.cat(inputs.ToArray(), 1);

    internal override string ExportJoin(IOnnxGraph graph, IReadOnlyList<string> inputs, string name)
        => graph.AddNode("Concat", inputs, name, new Dictionary<string, object> { ["axis"] = 1L });

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new Concatenate();

    /// <summary>A Concat over the channels (axis 1); of one input (DenseNet's first layer writes one) it passes that on.</summary>
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Concat", node =>
    {
        var inputs = Enumerable.Range(0, node.InputCount).ToArray();
        if (node.Int("axis") is not 1 && !(node.Int("axis") is -3 && node.ShapeOf(0).Length == 3) && !(node.Int("axis") is -1 && node.ShapeOf(0).Length == 1))
            throw node.Refuse($"axis {node.Int("axis")}; a concatenation of channels (axis 1) is read");
        if (inputs.Any(node.IsConstant))
            throw node.Refuse("a constant operand; Concat is read as the join of layers' outputs");
        if (inputs.Length == 1)
            node.PassOn(0);
        else
            node.AddLayer(new Concatenate(), inputs);
    })];
}
