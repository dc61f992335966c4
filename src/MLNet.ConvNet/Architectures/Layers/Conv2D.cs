using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>A 2-D convolution with "valid" padding and stride 1, as Keras <c>Conv2D(filters, kernel_size)</c>.</summary>
/// <param name="filters">Number of output channels.</param>
/// <param name="kernelSize">Height and width of the square kernel.</param>
public sealed class Conv2D(int filters, int kernelSize) : LayerSpec
{
    /// <summary>Number of output channels.</summary>
    public int Filters { get; } = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), filters, "Conv2D needs at least one filter.");

    /// <summary>Height and width of the square kernel.</summary>
    public int KernelSize { get; } = kernelSize > 0 ? kernelSize : throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "Conv2D needs a kernel of at least 1x1.");

    /// <inheritdoc />
    public override string TypeName => "Conv2D";

    /// <inheritdoc />
    public override string NamePrefix => "conv2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        if (inputShape[1] < KernelSize || inputShape[2] < KernelSize)
            throw new ArgumentException($"Conv2D with a {KernelSize}x{KernelSize} kernel needs an input of at least {KernelSize}x{KernelSize}, got {Format(inputShape)}.", nameof(inputShape));
        return nn.Conv2d(inputShape[0], Filters, KernelSize);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("Conv", [input, Initializer(graph, module, "weight", name), Initializer(graph, module, "bias", name)], name,
            new Dictionary<string, object> { ["kernel_shape"] = new long[] { KernelSize, KernelSize } });
}
