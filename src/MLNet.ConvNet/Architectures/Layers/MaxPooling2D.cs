using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Max pooling over square windows, as Keras <c>MaxPooling2D(pool_size, strides)</c>: the stride is the window's size
/// unless <see cref="Strides"/> says otherwise, and <see cref="ExplicitPadding"/> pads the sides (with -infinity, so a
/// pad never wins), as ONNX's <c>pads</c> do (ResNet's 3x3 stride-2 pool pads 1 before and 0 after).
/// </summary>
/// <param name="poolSize">Height and width of the window.</param>
public sealed class MaxPooling2D(int poolSize = 2) : LayerSpec
{
    private readonly int? _strides;

    /// <summary>Height and width of the window. Defaults to 2.</summary>
    public int PoolSize { get; } = Ranges.Check(poolSize, poolSize > 0, nameof(poolSize), "at least 1 (a 1x1 window)");

    /// <summary>Step between windows. Defaults to the window's size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int Strides
    {
        get => _strides ?? PoolSize;
        init => _strides = Ranges.Check(value, value > 0, nameof(Strides), "at least 1");
    }

    /// <summary>Padding before and after the height and width. Defaults to null: none.</summary>
    public Padding2D? ExplicitPadding { get; init; }

    /// <inheritdoc />
    public override string TypeName => "MaxPooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "max_pooling2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        if (ExplicitPadding is not { IsZero: false } pads)
            return nn.MaxPool2d(PoolSize, Strides);
        if (Math.Max(Math.Max(pads.Top, pads.Bottom), Math.Max(pads.Left, pads.Right)) >= PoolSize)
            throw new ArgumentException($"MaxPooling2D pads {pads} with a {PoolSize}x{PoolSize} window: a window could hold padding alone. Pad less than the window on every side.", nameof(inputShape));
        return new PaddedMaxPool(PoolSize, Strides, pads.ForTorch);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("MaxPool", [input], name, new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { PoolSize, PoolSize },
            ["strides"] = new long[] { Strides, Strides },
            ["pads"] = (ExplicitPadding ?? default).ForOnnx,
        });

    /// <summary>Max pooling after padding with -infinity, which nn.MaxPool2d cannot do unevenly.</summary>
    private sealed class PaddedMaxPool(long window, long stride, long[] pads) : nn.Module<Tensor, Tensor>("max_pooling2d")
    {
        public override Tensor forward(Tensor input)
        {
            using var padded = nn.functional.pad(input, pads, PaddingModes.Constant, double.NegativeInfinity);
            return nn.functional.max_pool2d(padded, [window, window], [stride, stride]);
        }
    }
}
