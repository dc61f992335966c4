using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Passes its input on. With an <see cref="LayerSpec.Activation"/> it is Keras' <c>Activation</c> layer: an activation
/// of its own where it cannot follow the layer before (the ONNX import uses it for an activation whose input other
/// layers read too). No parameters.
/// </summary>
public sealed class Identity : LayerSpec, IBuiltInLayer
{
    /// <inheritdoc />
    public override string TypeName => "Identity";

    /// <inheritdoc />
    public override string NamePrefix => "identity";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => nn.Identity();

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name) => input;

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new Identity();
}
