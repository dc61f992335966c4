using MLNet.ConvNet.Onnx.Internals;
using Onnx;

namespace MLNet.ConvNet.Tests.Onnx;

/// <summary>
/// The import's rewrites of exporters' patterns and its shape arithmetic, on small hand-built graphs (no Python): what
/// PyTorch writes for GELU, SiLU and a Linear becomes one node each; sizes are worked out, and arithmetic on the batch,
/// which the import cannot know, is refused saying so.
/// </summary>
[TestClass]
public sealed class OnnxRewriteTests
{
    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static TensorProto Floats(string name, long[] dims, params float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    private static TensorProto Longs(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    /// <summary>A 0-dimensional integer, as PyTorch writes the index of <c>x.size(1)</c>.</summary>
    private static TensorProto Scalar(string name, long value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.Add(value);
        return tensor;
    }

    [TestMethod]
    public void GeluSiluAndALinear_AsPyTorchWritesThem_BecomeOneNodeEach()
    {
        var constants = new Dictionary<string, TensorProto>
        {
            ["sqrt2"] = Floats("sqrt2", [], MathF.Sqrt(2)), ["one"] = Floats("one", [], 1), ["half"] = Floats("half", [], 0.5f),
            ["w"] = Floats("w", [2, 2], 1, 2, 3, 4), ["b"] = Floats("b", [2], 5, 6),
        };
        List<NodeProto> nodes =
        [
            Node("MatMul", ["x", "w"], "linear"), Node("Add", ["b", "linear"], "biased"),
            Node("Div", ["biased", "sqrt2"], "scaled"), Node("Erf", ["scaled"], "erf"), Node("Add", ["erf", "one"], "plus"),
            Node("Mul", ["biased", "plus"], "product"), Node("Mul", ["product", "half"], "gelu"),
            Node("Sigmoid", ["gelu"], "gate"), Node("Mul", ["gelu", "gate"], "silu"),
        ];
        var rewritten = OnnxRewrites.Apply(nodes, constants, new HashSet<string> { "silu" });
        CollectionAssert.AreEqual(new[] { "Gemm", "Gelu", OnnxRewrites.Silu }, rewritten.Select(n => n.OpType).ToArray());
        CollectionAssert.AreEqual(new[] { "x", "w", "b" }, rewritten[0].Input.ToArray());
        Assert.AreEqual("biased", rewritten[0].Output[0]);
        Assert.AreEqual("gelu", rewritten[1].Output[0]);
        Assert.AreEqual("silu", rewritten[2].Output[0]);
    }

    [TestMethod]
    public void AGateReadBySomethingElse_StaysAsItIs()
    {
        List<NodeProto> nodes = [Node("Sigmoid", ["x"], "gate"), Node("Mul", ["x", "gate"], "silu"), Node("Relu", ["gate"], "other")];
        var rewritten = OnnxRewrites.Apply(nodes, new Dictionary<string, TensorProto>(), new HashSet<string>());
        CollectionAssert.AreEqual(new[] { "Sigmoid", "Mul", "Relu" }, rewritten.Select(n => n.OpType).ToArray());
    }

    [TestMethod]
    public void Sizes_AreWorkedOut_WithTheBatchPassingThroughAsMinusOne()
    {
        var constants = new Dictionary<string, TensorProto> { ["i1"] = Scalar("i1", 1), ["two"] = Scalar("two", 2), ["axes"] = Longs("axes", 0) };
        TensorProto Constant(string name) => constants.GetValueOrDefault(name);
        long[] ShapeOf(string tensor) => tensor == "x" ? [-1, 24, 8, 8] : null;
        void Fold(NodeProto node) => constants[node.Output[0]] = OnnxShapeArithmetic.TryFold(node, Constant, ShapeOf, "test.onnx")!;

        Fold(Node("Shape", ["x"], "shape"));
        CollectionAssert.AreEqual(new long[] { -1, 24, 8, 8 }, constants["shape"].Int64Data.ToArray());
        Fold(Node("Gather", ["shape", "i1"], "channels"));
        Fold(Node("Div", ["channels", "two"], "half"));
        Fold(Node("Unsqueeze", ["half", "axes"], "halfList"));
        Fold(Node("Concat", ["halfList", "halfList"], "pair", new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 }));
        CollectionAssert.AreEqual(new long[] { 12, 12 }, constants["pair"].Int64Data.ToArray());
        Assert.IsNull(OnnxShapeArithmetic.TryFold(Node("Shape", ["y"], "unknown"), Constant, ShapeOf, "test.onnx"), "a shape the layers do not give is left to the readers");

        constants["i0"] = Scalar("i0", 0);
        Fold(Node("Gather", ["shape", "i0"], "batch"));
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxShapeArithmetic.TryFold(Node("Mul", ["batch", "two"], "doubled"), Constant, ShapeOf, "test.onnx"));
        StringAssert.Contains(error.Message, "computes with the batch size or a negative size, which the import does not know");
    }
}
