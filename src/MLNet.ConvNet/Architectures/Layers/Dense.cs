using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>A fully connected layer, as Keras <c>Dense(units)</c>; its input size comes from the shape that reaches it.</summary>
/// <param name="units">Number of outputs.</param>
public sealed class Dense(int units) : LayerSpec, IBuiltInLayer
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

    internal override void WriteSettings(LayerSettings settings) => settings.Set("units", Units);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new Dense(settings.Int("units"));

    // The import has already put the Add of a bias after a MatMul into a Gemm (Onnx/Internals/OnnxRewrites).
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Gemm", node => ReadOnnx(node, gemm: true)), new("MatMul", node => ReadOnnx(node, gemm: false))];

    /// <summary>Gemm (input x weight, transposed by transB, + bias) or MatMul (input x weight) as a Dense layer.</summary>
    private static void ReadOnnx(IOnnxNode node, bool gemm)
    {
        if (gemm && node.Int("transA") is 1)
            throw node.Refuse("transA 1; Gemm of the layer's output times the weights is read");
        if (gemm && (node.Float("alpha") is { } alpha && alpha != 1f || node.Float("beta") is { } beta && beta != 1f))
            throw node.Refuse("alpha or beta other than 1");
        var (dims, values) = node.Weight(1, "weights");
        if (dims.Length != 2)
            throw node.Refuse($"the dense weights of shape [{string.Join(", ", dims)}]; a matrix was expected");
        if (node.ShapeOf(0).Length != 1)
            throw node.Refuse($"an input of shape [{string.Join(", ", node.ShapeOf(0))}]; a dense layer over flat features is read");
        bool transposed = gemm && node.Int("transB") is 1;
        int units = (int)(transposed ? dims[0] : dims[1]), inputs = (int)(transposed ? dims[1] : dims[0]);
        string name = node.AddLayer(new Dense(units));
        node.AddWeight(name, "weight", [units, inputs], transposed ? values : LinearWeight(values, inputs, units));
        node.AddWeight(name, "bias", [units], node.HasInput(2) ? node.Weight(2, "bias").Values : new float[units]);
    }

    /// <summary>A MatMul's [inputs, units] matrix (row-major) as torch's Linear keeps it: [units, inputs].</summary>
    internal static float[] LinearWeight(float[] matrix, long inputs, long units)
    {
        var weight = new float[matrix.Length];
        for (long r = 0; r < inputs; r++)
            for (long c = 0; c < units; c++)
                weight[c * inputs + r] = matrix[r * units + c];
        return weight;
    }
}
