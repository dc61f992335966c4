using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Adds the outputs of two or more earlier layers of one shape, element by element, as Keras <c>Add()</c>: the join of a
/// residual block. Name them in <see cref="LayerSpec.Inputs"/>. No parameters.
/// </summary>
public sealed class Add : LayerSpec
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
}
