using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

// Every Scalar passed to libtorch is a local disposed after the call (Training/Optimizers/LiveScalarSteps.cs says why).

/// <summary>
/// The activation that follows a layer: <see cref="None"/>, <see cref="Relu"/>, <see cref="Relu6"/>, <see cref="Tanh"/>,
/// <see cref="Sigmoid"/>, <see cref="HardSigmoid"/>, <see cref="Silu"/>, <see cref="HardSwish"/>, <see cref="Elu"/>,
/// <see cref="LeakyRelu"/>, <see cref="Gelu"/>, or <see cref="Softmax"/> on the last layer. A closed set: each
/// activation is a static property here, with its function, its ONNX form and the ONNX operator it is imported from.
/// </summary>
public abstract class Activation
{
    private protected Activation() { }

    /// <summary>No activation.</summary>
    public static Activation None { get; } = new Identity("None");

    /// <summary>max(0, x).</summary>
    public static Activation Relu { get; } = new Rectifier();

    /// <summary>The hyperbolic tangent.</summary>
    public static Activation Tanh { get; } = new Simple("Tanh", "Tanh", x => x.tanh());

    /// <summary>1 / (1 + e^-x).</summary>
    public static Activation Sigmoid { get; } = new Simple("Sigmoid", "Sigmoid", x => x.sigmoid());

    /// <summary>x for x above 0, e^x - 1 below, as Keras' "elu" (alpha 1).</summary>
    public static Activation Elu { get; } = new Simple("Elu", "Elu", x => { using Scalar alpha = 1.0.ToScalar(), scale = 1.0.ToScalar(), inputScale = 1.0.ToScalar(); return x.elu(alpha, scale, inputScale); }, alpha: 1.0f);

    /// <summary>x for x above 0, 0.3 x below, as Keras' LeakyReLU default.</summary>
    public static Activation LeakyRelu { get; } = new Simple("LeakyRelu", "LeakyRelu", x => { using var slope = 0.3.ToScalar(); return x.leaky_relu(slope); }, alpha: 0.3f);

    /// <summary>x times the standard normal's cumulative distribution at x, exact (with erf), as Keras' "gelu".</summary>
    public static Activation Gelu { get; } = new GaussianError();

    /// <summary>min(max(0, x), 6), as Keras' "relu6" and torch's ReLU6 (MobileNetV2). ONNX: Clip(0, 6).</summary>
    public static Activation Relu6 { get; } = new ClippedRectifier();

    /// <summary>min(max(0, x / 6 + 1/2), 1), as Keras' "hard_sigmoid" and torch's Hardsigmoid (MobileNetV3's gates).</summary>
    public static Activation HardSigmoid { get; } = new PiecewiseSigmoid();

    /// <summary>x times <see cref="Sigmoid"/> of x, as Keras' "silu" (or "swish") and torch's SiLU (EfficientNet).</summary>
    public static Activation Silu { get; } = new Gated("Silu", x => nn.functional.silu(x), (graph, input, layer) => graph.AddNode("Sigmoid", [input], $"{layer}.sigmoid"));

    /// <summary>x times <see cref="HardSigmoid"/> of x, as Keras' "hard_silu" (or "hard_swish") and torch's Hardswish (MobileNetV3).</summary>
    public static Activation HardSwish { get; } = new Gated("HardSwish", x => nn.functional.hardswish(x), PiecewiseSigmoid.Export);

    /// <summary>
    /// Softmax over the classes; only valid on the last layer. The network's forward pass returns the logits: training
    /// uses their log-softmax (the categorical cross-entropy of the softmax outputs, computed stably) and scoring
    /// applies the softmax.
    /// </summary>
    public static Activation Softmax { get; } = new Identity("Softmax");

    /// <summary>Every activation, by the name the model's architecture description gives it.</summary>
    internal static IReadOnlyDictionary<string, Activation> ByName { get; } = new[]
    {
        None, Relu, Relu6, Tanh, Sigmoid, HardSigmoid, Silu, HardSwish, Elu, LeakyRelu, Gelu, Softmax,
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>
    /// The ONNX operators read as activations, each with what it is for a node (refusing settings it does not have).
    /// Silu is no ONNX operator: the import reads x * Sigmoid(x) as it (Onnx/Internals/OnnxRewrites); Softmax is the
    /// classifier's, read with the last layer.
    /// </summary>
    internal static IReadOnlyDictionary<string, Func<IOnnxNode, Activation>> OnnxReaders { get; } = new Dictionary<string, Func<IOnnxNode, Activation>>(StringComparer.Ordinal)
    {
        ["Relu"] = _ => Relu,
        ["Tanh"] = _ => Tanh,
        ["Sigmoid"] = _ => Sigmoid,
        ["Elu"] = node => node.Float("alpha") is null or 1f ? Elu : throw node.Refuse($"alpha {node.Float("alpha")}; Elu is read with alpha 1"),
        ["LeakyRelu"] = node => node.Float("alpha") is { } a && Math.Abs(a - 0.3f) < 1e-6f ? LeakyRelu : throw node.Refuse($"alpha {node.Float("alpha") ?? 0.01f}; this library's LeakyRelu has Keras' 0.3"),
        ["Gelu"] = node => node.Text("approximate") is null or "none" ? Gelu : throw node.Refuse($"approximate {node.Text("approximate")}; the exact GELU is read"),
        ["HardSigmoid"] = node => IsTorchHardSigmoid(node.Float("alpha"), node.Float("beta")) ? HardSigmoid
            : throw node.Refuse($"alpha {node.Float("alpha") ?? 0.2f} and beta {node.Float("beta") ?? 0.5f}; the hard sigmoid of torch and Keras 3 (alpha 1/6, beta 0.5) is read"),
        ["HardSwish"] = _ => HardSwish,
        ["Silu"] = _ => Silu,
        ["Clip"] = node =>
        {
            float? min = node.Float("min") ?? (node.HasInput(1) && node.IsConstant(1) ? node.Weight(1, "minimum").Values[0] : null);
            float? max = node.Float("max") ?? (node.HasInput(2) && node.IsConstant(2) ? node.Weight(2, "maximum").Values[0] : null);
            return (min, max) switch
            {
                (0f, 6f) => Relu6,
                (0f, null) => Relu,
                _ => throw node.Refuse($"the range [{min?.ToString() ?? "-inf"}, {max?.ToString() ?? "inf"}]; Clip is read as ReLU6 (0 to 6) or ReLU (0 up)"),
            };
        },
    };

    /// <summary>
    /// Whether an ONNX HardSigmoid's alpha and beta (null: ONNX's defaults, Keras 2's 0.2 and 0.5) are torch's and Keras
    /// 3's, 1/6 and 0.5: the <see cref="HardSigmoid"/> this library has.
    /// </summary>
    internal static bool IsTorchHardSigmoid(float? alpha, float? beta)
        => Math.Abs((alpha ?? 0.2f) - 1f / 6) < 1e-6f && Math.Abs((beta ?? 0.5f) - 0.5f) < 1e-6f;

    /// <summary>The name shown in messages, such as <c>Relu</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Applies the activation in the forward pass.</summary>
    internal abstract Tensor Apply(Tensor x);

    /// <summary>Writes the activation into an ONNX graph after <paramref name="input"/>; returns the output variable.</summary>
    internal abstract string ExportOnnx(IOnnxGraph graph, string input, string name);

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class Identity(string name) : Activation
    {
        public override string Name => name;

        internal override Tensor Apply(Tensor x) => x;

        internal override string ExportOnnx(IOnnxGraph graph, string input, string name) => input;
    }

    /// <summary>An activation that is one ONNX operator.</summary>
    private sealed class Simple(string name, string onnxOperator, Func<Tensor, Tensor> apply, float? alpha = null) : Activation
    {
        public override string Name => name;

        internal override Tensor Apply(Tensor x) => apply(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string layer)
            => graph.AddNode(onnxOperator, [input], $"{layer}.{name.ToLowerInvariant()}",
                alpha is float a ? new Dictionary<string, object> { ["alpha"] = a } : null);
    }

    /// <summary>GELU; opset 11 has no Gelu operator, so the export spells out 0.5 x (1 + erf(x / sqrt 2)).</summary>
    private sealed class GaussianError : Activation
    {
        public override string Name => "Gelu";

        internal override Tensor Apply(Tensor x) => nn.functional.gelu(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string layer)
        {
            string scaled = graph.AddNode("Div", [input, graph.AddInitializer(new[] { MathF.Sqrt(2f) }, [1], $"{layer}.sqrt2")], $"{layer}.gelu.scaled");
            string erf = graph.AddNode("Erf", [scaled], $"{layer}.gelu.erf");
            string plusOne = graph.AddNode("Add", [erf, graph.AddInitializer(new[] { 1f }, [1], $"{layer}.one")], $"{layer}.gelu.plus_one");
            string product = graph.AddNode("Mul", [input, plusOne], $"{layer}.gelu.product");
            return graph.AddNode("Mul", [product, graph.AddInitializer(new[] { 0.5f }, [1], $"{layer}.half")], $"{layer}.gelu");
        }
    }

    /// <summary>ReLU6; the export is Relu then Min with 6 (ML.NET's ONNX writer has no scalar initializers for Clip's bounds).</summary>
    private sealed class ClippedRectifier : Activation
    {
        public override string Name => "Relu6";

        internal override Tensor Apply(Tensor x) => nn.functional.relu6(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string layer)
            => graph.AddNode("Min", [graph.AddNode("Relu", [input], $"{layer}.relu"), graph.AddInitializer(new[] { 6f }, [1], $"{layer}.six")], $"{layer}.relu6");
    }

    /// <summary>The hard sigmoid; ONNX's HardSigmoid with torch's alpha and beta (its defaults are Keras 2's 0.2 and 0.5).</summary>
    private sealed class PiecewiseSigmoid : Activation
    {
        public override string Name => "HardSigmoid";

        internal override Tensor Apply(Tensor x) => nn.functional.hardsigmoid(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string layer) => Export(graph, input, layer);

        public static string Export(IOnnxGraph graph, string input, string layer)
            => graph.AddNode("HardSigmoid", [input], $"{layer}.hard_sigmoid", new Dictionary<string, object> { ["alpha"] = 1f / 6, ["beta"] = 0.5f });
    }

    /// <summary>x times a gate of x; the export writes the gate, then the product (opset 11 has neither SiLU nor HardSwish).</summary>
    private sealed class Gated(string name, Func<Tensor, Tensor> apply, Func<IOnnxGraph, string, string, string> gate) : Activation
    {
        public override string Name => name;

        internal override Tensor Apply(Tensor x) => apply(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string layer)
            => graph.AddNode("Mul", [input, gate(graph, input, layer)], $"{layer}.{name.ToLowerInvariant()}");
    }

    private sealed class Rectifier : Activation
    {
        public override string Name => "Relu";

        internal override Tensor Apply(Tensor x) => nn.functional.relu(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string name) => graph.AddNode("Relu", [input], $"{name}.relu");
    }
}
