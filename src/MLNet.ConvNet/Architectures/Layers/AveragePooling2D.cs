using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Average pooling over square windows, as Keras <c>AveragePooling2D(pool_size, strides)</c> with "valid" padding (the
/// original LeNet-5 pools this way). <see cref="Pooling2D.ExplicitPadding"/> pads the sides, and each window then
/// averages only its image pixels, as ONNX's AveragePool with <c>count_include_pad = 0</c>.
/// </summary>
public sealed class AveragePooling2D : Pooling2D, IBuiltInLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="poolSize">Height and width of the window. Defaults to 2.</param>
    /// <param name="strides">Step between windows. Defaults to null: the window's size.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public AveragePooling2D(int poolSize = 2, int? strides = null) : base(poolSize, strides)
    {
    }

    /// <inheritdoc />
    public override string TypeName => "AveragePooling2D";

    /// <inheritdoc />
    public override string NamePrefix => "average_pooling2d";

    private protected override string OnnxOperator => "AveragePool";

    private protected override nn.Module<Tensor, Tensor> BuildPool(Padding2D pads)
        => new AveragePool(PoolSize, Strides, pads, CeilMode);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings)
    {
        var (size, strides, padding, ceilMode) = ReadWindow(settings);
        return new AveragePooling2D(size, strides) { ExplicitPadding = padding, CeilMode = ceilMode };
    }

    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("AveragePool", node =>
    {
        var (size, strides, padding, ceilMode) = ReadOnnxWindow(node);
        if (padding is not null && node.Int("count_include_pad") is 1)
            throw node.Refuse("count_include_pad 1 with pads; averages over the image pixels alone (count_include_pad 0) are read");
        node.AddLayer(new AveragePooling2D(size, strides) { ExplicitPadding = padding, CeilMode = ceilMode });
    })];

    /// <summary>
    /// The average of each window's image pixels. Even padding is torch's own (count_include_pad false); uneven padding
    /// is the sum over the zero-padded input divided by the number of image pixels in each window.
    /// </summary>
    private sealed class AveragePool(long window, long stride, Padding2D pads, bool ceilMode) : nn.Module<Tensor, Tensor>("average_pooling2d")
    {
        private readonly bool _even = pads.Top == pads.Bottom && pads.Left == pads.Right;

        public override Tensor forward(Tensor input)
        {
            if (_even)
                return nn.functional.avg_pool2d(input, [window, window], [stride, stride], [pads.Top, pads.Left], ceil_mode: ceilMode, count_include_pad: false);
            using var padded = nn.functional.pad(input, pads.ForTorch);
            using var ones = torch.ones(1, 1, input.shape[2], input.shape[3], dtype: input.dtype, device: input.device);
            using var mask = nn.functional.pad(ones, pads.ForTorch);
            using var sums = nn.functional.avg_pool2d(padded, [window, window], [stride, stride]);
            using var counts = nn.functional.avg_pool2d(mask, [window, window], [stride, stride]);
            return sums.div(counts);
        }
    }
}
