using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// What <see cref="MaxPooling2D"/> and <see cref="AveragePooling2D"/> share: a square window, its step, padding of the
/// sides as ONNX's <c>pads</c>, and whether windows that run past the edge count (<see cref="CeilMode"/>), with the
/// description and the ONNX form that follow from them. The subclasses say how a window is summarised.
/// </summary>
public abstract class Pooling2D : LayerSpec
{
    private readonly int? _strides;

    private protected Pooling2D(int poolSize, int? strides)
    {
        PoolSize = Ranges.Check(poolSize, poolSize > 0, nameof(poolSize), "at least 1 (a 1x1 window)");
        _strides = Ranges.Check(strides, strides is null or > 0, nameof(strides), "at least 1 (or null for the pool size)");
    }

    /// <summary>Height and width of the window. Defaults to 2.</summary>
    public int PoolSize { get; }

    /// <summary>Step between windows. Defaults to the window's size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int Strides
    {
        get => _strides ?? PoolSize;
        init => _strides = Ranges.Check(value, value > 0, nameof(Strides), "at least 1");
    }

    /// <summary>Padding before and after the height and width. Defaults to null: none.</summary>
    public Padding2D? ExplicitPadding { get; init; }

    /// <summary>
    /// Whether a last window that runs past the edge (but starts inside the image or its padding before) still counts,
    /// so the output size rounds up, as torch's and ONNX's <c>ceil_mode</c> (SqueezeNet and GoogLeNet pool so). Defaults
    /// to false: the output size rounds down, as Keras pools. With uneven padding it is refused.
    /// </summary>
    public bool CeilMode { get; init; }

    /// <summary>The ONNX operator: MaxPool or AveragePool.</summary>
    private protected abstract string OnnxOperator { get; }

    /// <inheritdoc />
    public sealed override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        var pads = ExplicitPadding ?? default;
        if (Math.Max(Math.Max(pads.Top, pads.Bottom), Math.Max(pads.Left, pads.Right)) >= PoolSize)
            throw new ArgumentException($"{TypeName} pads {pads} with a {PoolSize}x{PoolSize} window: a window could hold padding alone. Pad less than the window on every side.", nameof(inputShape));
        if (CeilMode && !(pads.Top == pads.Bottom && pads.Left == pads.Right))
            throw new ArgumentException($"{TypeName} rounds up (CeilMode) with the uneven padding {pads}; round up only with the same padding before and after.", nameof(inputShape));
        return BuildPool(pads);
    }

    /// <summary>The module for a window over the input padded with <paramref name="pads"/> (within the window, as checked).</summary>
    private protected abstract nn.Module<Tensor, Tensor> BuildPool(Padding2D pads);

    internal sealed override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
    {
        var attributes = new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { PoolSize, PoolSize },
            ["strides"] = new long[] { Strides, Strides },
            ["pads"] = (ExplicitPadding ?? default).ForOnnx,
        };
        if (CeilMode)
            attributes["ceil_mode"] = 1L;
        return graph.AddNode(OnnxOperator, [input], name, attributes);
    }

    internal override void WriteSettings(LayerSettings settings)
    {
        settings.Set("poolSize", PoolSize);
        settings.Set("strides", Strides);
        settings.SetPadding("padding", ExplicitPadding);
        if (CeilMode)
            settings.Set("ceilMode", true);
    }

    /// <summary>The window's settings as <see cref="WriteSettings"/> wrote them: size, step, padding and rounding.</summary>
    private protected static (int PoolSize, int Strides, Padding2D? Padding, bool CeilMode) ReadWindow(LayerSettings settings)
        => (settings.Int("poolSize"), settings.Int("strides"), settings.Padding("padding"), settings.Bool("ceilMode", false));

    /// <summary>An ONNX MaxPool or AveragePool node's window, refusing what this library's pooling does not do.</summary>
    private protected static (int PoolSize, int Strides, Padding2D? Padding, bool CeilMode) ReadOnnxWindow(IOnnxNode node)
    {
        int size = OnnxWindows.Square(node);
        int strides = OnnxWindows.Strides(node);
        if (OnnxWindows.Dilation(node) != 1)
            throw node.Refuse("dilations; only undilated pooling is read");
        var (padding, explicitPadding) = OnnxWindows.Padding(node);
        if (padding == ConvPadding.Same)
            throw node.Refuse("auto_pad SAME_UPPER; pooling with explicit pads is read");
        return (size, strides, explicitPadding, node.Int("ceil_mode") is 1);
    }
}
