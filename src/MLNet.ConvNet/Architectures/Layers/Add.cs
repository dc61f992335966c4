using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Adds the outputs of two or more earlier layers of one shape, element by element, as Keras <c>Add()</c>: the join of a
/// residual block. Name them in <see cref="LayerSpec.Inputs"/>. No parameters.
/// </summary>
public sealed class Add : LayerSpec, IBuiltInLayer
{
    /// <inheritdoc />
    public override string TypeName => "Add";

    /// <inheritdoc />
    public override string NamePrefix => "add";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => nn.Identity();

    internal override bool Joins => true;

    // Tensor.add(Tensor) alone makes its alpha of 1 a Scalar nothing keeps alive (Training/Optimizers/LiveScalarSteps.cs).
    internal override Tensor Join(IReadOnlyList<Tensor> inputs)
    {
        using var one = 1.ToScalar();
        var sum = inputs[0].add(inputs[1], one);
        for (int i = 2; i < inputs.Count; i++)
            sum = sum.add_(inputs[i], one);
        return sum;
    }

    internal override string ExportJoin(IOnnxGraph graph, IReadOnlyList<string> inputs, string name)
        => inputs.Count == 2 ? graph.AddNode("Add", inputs, name) : graph.AddNode("Sum", inputs, name);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new Add();

    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Add", ReadOnnx), new("Sum", ReadOnnx)];

    private static void ReadOnnx(IOnnxNode node)
    {
        var inputs = Enumerable.Range(0, node.InputCount).ToArray();
        if (inputs.Any(node.IsConstant))
            throw node.Refuse("a constant operand; Add is read as the join of layers' outputs, or as a MatMul's bias");
        if (inputs.Select(node.ShapeOf).Any(s => !s.SequenceEqual(node.ShapeOf(0))))
            throw node.Refuse($"operands of shapes {string.Join(" and ", inputs.Select(i => Format(node.ShapeOf(i))))}; Add is read as the join of outputs of one shape");
        node.AddLayer(new Add(), inputs);
    }
}
