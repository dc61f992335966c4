using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>Flattens everything but the batch dimension, as Keras <c>Flatten()</c>.</summary>
public sealed class Flatten : LayerSpec
{
    /// <inheritdoc />
    public override string TypeName => "Flatten";

    /// <inheritdoc />
    public override string NamePrefix => "flatten";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => nn.Flatten();

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("Flatten", [input], name, new Dictionary<string, object> { ["axis"] = 1L });
}
