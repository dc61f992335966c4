using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Normalises each channel (or each feature, after <see cref="Flatten"/>) with the batch's mean and variance while
/// training and with running averages of them when scoring, then scales and shifts it, as Keras
/// <c>BatchNormalization()</c>. Parameters per channel: a scale and a shift (trainable) and the running mean and
/// variance (non-trainable, saved with the model), so 4 x channels in all, as Keras counts them.
/// </summary>
public sealed class BatchNormalization : LayerSpec
{
    /// <summary>Creates the layer.</summary>
    /// <param name="momentum">How much of the running averages each batch keeps, as Keras counts it; in (0, 1). Defaults to 0.99.</param>
    /// <param name="epsilon">Added to the variance before its square root; positive. Defaults to 0.001, as Keras.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public BatchNormalization(double momentum = 0.99, double epsilon = 0.001)
    {
        Momentum = Ranges.Check(momentum, momentum is > 0 and < 1, nameof(momentum), "in (0, 1)");
        Epsilon = Ranges.Check(epsilon, epsilon > 0 && double.IsFinite(epsilon), nameof(epsilon), "a positive finite number");
    }

    /// <summary>How much of the running averages each batch keeps (Keras' momentum; PyTorch's is 1 minus it). Defaults to 0.99.</summary>
    public double Momentum { get; }

    /// <summary>Added to the variance before its square root. Defaults to 0.001.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public override string TypeName => "BatchNormalization";

    /// <inheritdoc />
    public override string NamePrefix => "batch_normalization";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => inputShape.Length switch
    {
        3 => nn.BatchNorm2d(inputShape[0], eps: Epsilon, momentum: 1 - Momentum),
        1 => nn.BatchNorm1d(inputShape[0], eps: Epsilon, momentum: 1 - Momentum),
        _ => throw new ArgumentException($"BatchNormalization expects an input of rank 3 [channels, height, width] or rank 1 [features], got {Format(inputShape)}.", nameof(inputShape)),
    };

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("BatchNormalization",
            [input, Initializer(graph, module, "weight", name), Initializer(graph, module, "bias", name), Initializer(graph, module, "running_mean", name), Initializer(graph, module, "running_var", name)],
            name, new Dictionary<string, object> { ["epsilon"] = (float)Epsilon });
}
