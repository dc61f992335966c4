using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// The activation that follows a layer: <see cref="None"/>, <see cref="Relu"/>, or <see cref="Softmax"/> on the
/// last layer. A closed set: each activation is one nested type here, with its own function.
/// </summary>
public abstract class Activation
{
    private protected Activation() { }

    /// <summary>No activation.</summary>
    public static Activation None { get; } = new Identity("None");

    /// <summary>max(0, x).</summary>
    public static Activation Relu { get; } = new Rectifier();

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

    private sealed class Rectifier : Activation
    {
        public override string Name => "Relu";

        internal override Tensor Apply(Tensor x) => nn.functional.relu(x);

        internal override string ExportOnnx(IOnnxGraph graph, string input, string name) => graph.AddNode("Relu", [input], $"{name}.relu");
    }
}
