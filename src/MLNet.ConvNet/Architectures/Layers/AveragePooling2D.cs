using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Average pooling over square windows, as Keras <c>AveragePooling2D(pool_size, strides)</c> with "valid" padding (the
/// original LeNet-5 pools this way). <see cref="ExplicitPadding"/> pads the sides, and each window then averages only
/// its image pixels, as ONNX's AveragePool with <c>count_include_pad = 0</c>.
/// </summary>
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

    /// <summary>Padding before and after the height and width, left out of each window's average. Defaults to null: none.</summary>
    public Padding2D? ExplicitPadding { get; init; }

    /// <inheritdoc />
    public override string TypeName => "AveragePooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "average_pooling2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        if (ExplicitPadding is not { IsZero: false } pads)
            return nn.AvgPool2d(PoolSize, Strides);
        if (Math.Max(Math.Max(pads.Top, pads.Bottom), Math.Max(pads.Left, pads.Right)) >= PoolSize)
            throw new ArgumentException($"AveragePooling2D pads {pads} with a {PoolSize}x{PoolSize} window: a window could hold padding alone. Pad less than the window on every side.", nameof(inputShape));
        return new PaddedAveragePool(PoolSize, Strides, pads.ForTorch);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("AveragePool", [input], name, new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { PoolSize, PoolSize },
            ["strides"] = new long[] { Strides, Strides },
            ["pads"] = (ExplicitPadding ?? default).ForOnnx,
        });

    /// <summary>The sum over each window of the zero-padded input, divided by the number of image pixels in it.</summary>
    private sealed class PaddedAveragePool(long window, long stride, long[] pads) : nn.Module<Tensor, Tensor>("average_pooling2d")
    {
        public override Tensor forward(Tensor input)
        {
            using var padded = nn.functional.pad(input, pads);
            using var ones = torch.ones(1, 1, input.shape[2], input.shape[3], dtype: input.dtype, device: input.device);
            using var mask = nn.functional.pad(ones, pads);
            using var sums = nn.functional.avg_pool2d(padded, [window, window], [stride, stride]);
            using var counts = nn.functional.avg_pool2d(mask, [window, window], [stride, stride]);
            return sums.div(counts);
        }
    }
}
