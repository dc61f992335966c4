using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>Average pooling over square windows, as Keras <c>AveragePooling2D(pool_size, strides)</c> with "valid" padding (the original LeNet-5 pools this way).</summary>
public sealed class AveragePooling2D : LayerSpec
{
    /// <summary>Creates the layer.</summary>
    /// <param name="poolSize">Height and width of the window. Defaults to 2.</param>
    /// <param name="strides">Step between windows. Defaults to null: the window's size.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public AveragePooling2D(int poolSize = 2, int? strides = null)
    {
        PoolSize = Ranges.Check(poolSize, poolSize > 0, nameof(poolSize), "at least 1 (a 1x1 window)");
        Strides = Ranges.Check(strides ?? poolSize, strides is null or > 0, nameof(strides), "at least 1 (or null for the pool size)");
    }

    /// <summary>Height and width of the window. Defaults to 2.</summary>
    public int PoolSize { get; }

    /// <summary>Step between windows. Defaults to the window's size.</summary>
    public int Strides { get; }

    /// <inheritdoc />
    public override string TypeName => "AveragePooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "average_pooling2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        return nn.AvgPool2d(PoolSize, Strides);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("AveragePool", [input], name, new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { PoolSize, PoolSize },
            ["strides"] = new long[] { Strides, Strides },
        });
}
