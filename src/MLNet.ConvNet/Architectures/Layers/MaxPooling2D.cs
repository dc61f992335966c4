using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Max pooling over square windows, as Keras <c>MaxPooling2D(pool_size, strides)</c>: the stride is the window's size
/// unless <see cref="Pooling2D.Strides"/> says otherwise, and <see cref="Pooling2D.ExplicitPadding"/> pads the sides
/// (with -infinity, so a pad never wins), as ONNX's <c>pads</c> do (ResNet's 3x3 stride-2 pool pads 1 before and 0 after).
/// </summary>
/// <param name="poolSize">Height and width of the window.</param>
public sealed class MaxPooling2D(int poolSize = 2) : Pooling2D(poolSize, null), IBuiltInLayer
{
    /// <inheritdoc />
    public override string TypeName => "MaxPooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "max_pooling2d";

    private protected override string OnnxOperator => "MaxPool";

    private protected override nn.Module<Tensor, Tensor> BuildPool(Padding2D pads)
        => new MaxPool(PoolSize, Strides, pads, CeilMode);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings)
    {
        var (size, strides, padding, ceilMode) = ReadWindow(settings);
        return new MaxPooling2D(size) { Strides = strides, ExplicitPadding = padding, CeilMode = ceilMode };
    }

    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("MaxPool", node =>
    {
        if (node.Int("storage_order") is 1)
            throw node.Refuse("storage_order 1; row-major windows are read");
        var (size, strides, padding, ceilMode) = ReadOnnxWindow(node);
        node.AddLayer(new MaxPooling2D(size) { Strides = strides, ExplicitPadding = padding, CeilMode = ceilMode });
    })];

    /// <summary>Max pooling; uneven padding is -infinity put around the input first, which nn.MaxPool2d cannot do.</summary>
    private sealed class MaxPool(long window, long stride, Padding2D pads, bool ceilMode) : nn.Module<Tensor, Tensor>("max_pooling2d")
    {
        private readonly bool _even = pads.Top == pads.Bottom && pads.Left == pads.Right;

        public override Tensor forward(Tensor input)
        {
            if (_even)
                return nn.functional.max_pool2d(input, [window, window], [stride, stride], [pads.Top, pads.Left], ceil_mode: ceilMode);
            using var padded = nn.functional.pad(input, pads.ForTorch, PaddingModes.Constant, double.NegativeInfinity);
            return nn.functional.max_pool2d(padded, [window, window], [stride, stride]);
        }
    }
}
