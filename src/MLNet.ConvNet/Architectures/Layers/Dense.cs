using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>A fully connected layer, as Keras <c>Dense(units)</c>; its input size comes from the shape that reaches it.</summary>
/// <param name="units">Number of outputs.</param>
public sealed class Dense(int units) : LayerSpec
{
    /// <summary>Number of outputs.</summary>
    public int Units { get; } = Ranges.Check(units, units > 0, nameof(units), "at least 1");

    /// <inheritdoc />
    public override string TypeName => "Dense";

    /// <inheritdoc />
    public override string NamePrefix => "dense";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        if (inputShape.Length != 1)
            throw new ArgumentException($"Dense expects a flat input of rank 1 [features], got {Format(inputShape)}; put a Flatten layer before it.", nameof(inputShape));
        return nn.Linear(inputShape[0], Units);
    }

    // Gemm computes input x weight^T + bias, as torch.nn.Linear stores its weight [units, inputs].
    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("Gemm", [input, Initializer(graph, module, "weight", name), Initializer(graph, module, "bias", name)], name,
            new Dictionary<string, object> { ["transB"] = 1L });
}
