using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

// Every Scalar passed to libtorch is a local disposed after the call (Training/Optimizers/LiveScalarSteps.cs says why).

/// <summary>
/// The activation that follows a layer: <see cref="None"/>, <see cref="Relu"/>, <see cref="Tanh"/>,
/// <see cref="Sigmoid"/>, <see cref="Elu"/>, <see cref="LeakyRelu"/>, <see cref="Gelu"/>, or <see cref="Softmax"/> on
/// the last layer. A closed set: each activation is a static property here, with its function and its ONNX form.
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

    /// <summary>
    /// Softmax over the classes; only valid on the last layer. The network's forward pass returns the logits: training
    /// uses their log-softmax (the categorical cross-entropy of the softmax outputs, computed stably) and scoring
    /// applies the softmax.
    /// </summary>
    public static Activation Softmax { get; } = new Identity("Softmax");

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

    private sealed class Rectifier : Activation
    {
        public override string Name => "Relu";

        internal override Tensor Apply(Tensor x) => nn.functional.relu(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string name) => graph.AddNode("Relu", [input], $"{name}.relu");
    }
}
