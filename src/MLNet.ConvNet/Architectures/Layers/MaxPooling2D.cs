using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>Max pooling over square windows with stride equal to the window, as Keras <c>MaxPooling2D(pool_size)</c>.</summary>
/// <param name="poolSize">Height and width of the window.</param>
public sealed class MaxPooling2D(int poolSize = 2) : LayerSpec
{
    /// <summary>Height and width of the window. Defaults to 2.</summary>
    public int PoolSize { get; } = Ranges.Check(poolSize, poolSize > 0, nameof(poolSize), "at least 1 (a 1x1 window)");

    /// <inheritdoc />
    public override string TypeName => "MaxPooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "max_pooling2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        return nn.MaxPool2d(PoolSize, PoolSize);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("MaxPool", [input], name, new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { PoolSize, PoolSize },
            ["strides"] = new long[] { PoolSize, PoolSize },
        });
}
