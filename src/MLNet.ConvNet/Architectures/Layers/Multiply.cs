using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Multiplies the outputs of two earlier layers element by element, as Keras <c>Multiply()</c>, where one may be a
/// <c>[channels, 1, 1]</c> weight per channel for the other's <c>[channels, height, width]</c>: the gate of a
/// squeeze-and-excitation block (MobileNetV3, EfficientNet, RegNetY), which scales each channel of an image by a
/// number the block computed from the whole image. Name the inputs in <see cref="LayerSpec.Inputs"/>. No parameters.
/// </summary>
public sealed class Multiply : LayerSpec, IBuiltInLayer
{
    /// <inheritdoc />
    public override string TypeName => "Multiply";

    /// <inheritdoc />
    public override string NamePrefix => "multiply";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => nn.Identity();

    internal override bool Joins => true;

    internal override long[] JoinShape(IReadOnlyList<long[]> shapes)
    {
        var widest = shapes.OrderByDescending(s => s.Aggregate(1L, (a, b) => a * b)).First();
        if (shapes.Count != 2 || shapes.Any(s => s.Length != widest.Length || s.Where((d, i) => d != widest[i] && !(d == 1 && i > 0)).Any()))
            throw new ArgumentException($"joins {string.Join(" and ", shapes.Select(Format))}: it needs two inputs of one shape, or an image and one value per channel ([channels, 1, 1]).");
        return widest;
    }

    internal override Tensor Join(IReadOnlyList<Tensor> inputs) => inputs[0].mul(inputs[1]);

    internal override string ExportJoin(IOnnxGraph graph, IReadOnlyList<string> inputs, string name) => graph.AddNode("Mul", inputs, name);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new Multiply();

    // The import has already read x * sigmoid(x) and x * hard_sigmoid(x) as activations (Onnx/Internals/OnnxRewrites).
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Mul", node =>
    {
        if (node.IsConstant(0) || node.IsConstant(1))
            throw node.Refuse("a constant operand; Mul is read as the product of two layers' outputs (a channel gate)");
        node.AddLayer(new Multiply(), 0, 1);
    })];
}
