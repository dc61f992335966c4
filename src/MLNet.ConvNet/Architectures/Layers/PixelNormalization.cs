using System.Globalization;
using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Prepares the library's pixels (channel-major, in [0, 1]) the way a pretrained network saw its training images:
/// a gray image repeated into every channel, then each pixel times <see cref="Scale"/>, the channels put in
/// <see cref="ChannelOrder"/>, minus <see cref="Mean"/> and divided by <see cref="StandardDeviation"/>, channel by
/// channel. With <see cref="MeanImageSize"/>, images of exactly that size have a mean image subtracted pixel by pixel
/// instead (a non-trainable buffer, <c>mean_image</c>, that the pretrained weights fill); other sizes use the per-channel
/// mean. Put first in a pretrained architecture, it keeps a saved model scoring the same [0, 1] features (or image
/// paths) as every other model. No trainable parameters.
/// </summary>
public sealed class PixelNormalization : LayerSpec, IBuiltInLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="mean">What to subtract from each output channel (after scaling and reordering); its length is the number of channels.</param>
    /// <param name="standardDeviation">What to divide each output channel by. Defaults to null: 1 for every channel.</param>
    /// <param name="scale">What each input pixel is multiplied by first, such as 255 for a network trained on bytes. Defaults to 1.</param>
    /// <param name="channelOrder">Which input channel each output channel takes, such as [2, 1, 0] for RGB to BGR. Defaults to null: as they come.</param>
    /// <exception cref="ArgumentException">The lists disagree in length, a deviation is not positive, or the order is not a permutation.</exception>
    public PixelNormalization(IReadOnlyList<float> mean, IReadOnlyList<float>? standardDeviation = null, float scale = 1, IReadOnlyList<int>? channelOrder = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        if (mean.Count == 0 || mean.Any(m => !float.IsFinite(m)))
            throw new ArgumentException($"PixelNormalization needs one finite mean per channel; got [{string.Join(", ", mean)}].", nameof(mean));
        var deviation = standardDeviation ?? Enumerable.Repeat(1f, mean.Count).ToArray();
        if (deviation.Count != mean.Count || deviation.Any(d => !(d > 0) || !float.IsFinite(d)))
            throw new ArgumentException($"PixelNormalization needs one positive standard deviation per channel ({mean.Count}); got [{string.Join(", ", deviation)}].", nameof(standardDeviation));
        var order = channelOrder ?? Enumerable.Range(0, mean.Count).ToArray();
        if (order.Count != mean.Count || !order.OrderBy(c => c).SequenceEqual(Enumerable.Range(0, mean.Count)))
            throw new ArgumentException($"PixelNormalization's channel order must list each of the {mean.Count} channels once; got [{string.Join(", ", order)}].", nameof(channelOrder));
        Scale = Ranges.Check(scale, scale > 0 && float.IsFinite(scale), nameof(scale), "a positive finite number");
        Mean = mean.ToArray();
        StandardDeviation = deviation.ToArray();
        ChannelOrder = order.ToArray();
    }

    /// <summary>Subtracted from each output channel.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Each output channel is divided by it.</summary>
    public IReadOnlyList<float> StandardDeviation { get; }

    /// <summary>Each input pixel is multiplied by it first.</summary>
    public float Scale { get; }

    /// <summary>The input channel each output channel takes.</summary>
    public IReadOnlyList<int> ChannelOrder { get; }

    /// <summary>
    /// The height and width of a mean image to subtract pixel by pixel from images of exactly that size (its values come
    /// with the pretrained weights). Defaults to null: the per-channel <see cref="Mean"/> at every size.
    /// </summary>
    public (int Height, int Width)? MeanImageSize { get; init; }

    /// <inheritdoc />
    public override string TypeName => "PixelNormalization";

    /// <inheritdoc />
    public override string NamePrefix => "pixel_normalization";

    /// <summary>Whether images of <paramref name="inputShape"/> get the mean image.</summary>
    private bool UsesMeanImage(long[] inputShape) => MeanImageSize is var (h, w) && inputShape[1] == h && inputShape[2] == w;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        int channels = Mean.Count;
        if (inputShape[0] != 1 && inputShape[0] != channels)
            throw new ArgumentException($"PixelNormalization prepares {channels}-channel images, or gray ones (repeated into {channels} channels); got {Format(inputShape)}.", nameof(inputShape));
        return new Normalizer(this, inputShape, UsesMeanImage(inputShape));
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
    {
        int channels = Mean.Count;
        string x = input;
        if (inputShape[0] == 1 && channels > 1)
            x = graph.AddNode("Concat", Enumerable.Repeat(input, channels).ToArray(), $"{name}.channels", new Dictionary<string, object> { ["axis"] = 1L });
        else if (!ChannelOrder.SequenceEqual(Enumerable.Range(0, channels)))
            x = graph.AddNode("Gather", [x, graph.AddInitializer(ChannelOrder.Select(c => (long)c).ToArray(), [channels], $"{name}.order")], $"{name}.ordered", new Dictionary<string, object> { ["axis"] = 1L });
        if (Scale != 1)
            x = graph.AddNode("Mul", [x, graph.AddInitializer([Scale], [1], $"{name}.scale")], $"{name}.scaled");
        string mean = UsesMeanImage(inputShape)
            ? Initializer(graph, module, "mean_image", name)
            : graph.AddInitializer(Mean.ToArray(), [1, channels, 1, 1], $"{name}.mean");
        x = graph.AddNode("Sub", [x, mean], $"{name}.centred");
        return StandardDeviation.All(d => d == 1) ? x
            : graph.AddNode("Div", [x, graph.AddInitializer(StandardDeviation.ToArray(), [1, channels, 1, 1], $"{name}.std")], name);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"x {Scale}, channels [{string.Join(", ", ChannelOrder)}], minus [{string.Join(", ", Mean)}], over [{string.Join(", ", StandardDeviation)}]{(MeanImageSize is var (h, w) ? $", mean image at {h}x{w}" : "")}");

    // TorchSharp registers every Tensor field of a module as a buffer, which the saved weights would then hold: the
    // constants live in arrays, and the one buffer is the mean image, which the pretrained weights fill.
    private sealed class Normalizer : nn.Module<Tensor, Tensor>
    {
        private readonly long _channels;
        private readonly bool _gray;
        private readonly float _scale;
        private readonly long[] _order;
        private readonly float[] _mean, _deviation;

        public Normalizer(PixelNormalization spec, long[] inputShape, bool meanImage) : base("pixel_normalization")
        {
            _channels = spec.Mean.Count;
            _gray = inputShape[0] == 1 && _channels > 1;
            _scale = spec.Scale;
            _order = spec.ChannelOrder.Select(c => (long)c).ToArray();
            _mean = spec.Mean.ToArray();
            _deviation = spec.StandardDeviation.ToArray();
            if (meanImage)
            {
                mean_image = torch.zeros(_channels, inputShape[1], inputShape[2]);
                register_buffer(nameof(mean_image), mean_image);
            }
        }

#pragma warning disable IDE1006 // the name the pretrained weights and saved models know
        private readonly Tensor? mean_image;
#pragma warning restore IDE1006

        public override Tensor forward(Tensor input)
        {
            using var scope = torch.NewDisposeScope();
            var x = _gray ? input.expand(-1, _channels, -1, -1) : input.index_select(1, torch.tensor(_order, device: input.device));
            if (_scale != 1)
            {
                using var scale = _scale.ToScalar();
                x = x.mul(scale);
            }
            x = x.sub(mean_image ?? torch.tensor(_mean, device: input.device).view(1, _channels, 1, 1));
            return x.div(torch.tensor(_deviation, device: input.device).view(1, _channels, 1, 1)).MoveToOuterDisposeScope();
        }
    }

    internal override void WriteSettings(LayerSettings settings)
    {
        settings.Set("mean", Mean);
        settings.Set("standardDeviation", StandardDeviation);
        settings.Set("scale", Scale);
        settings.Set("channelOrder", ChannelOrder);
        if (MeanImageSize is var (h, w))
            settings.Set("meanImageSize", [h, w]);
    }

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings)
        => new PixelNormalization(settings.Floats("mean"), settings.Floats("standardDeviation"), settings.Single("scale"), settings.Ints("channelOrder"))
        {
            MeanImageSize = settings.Has("meanImageSize") && settings.Ints("meanImageSize") is [int h, int w] ? (h, w) : null,
        };
}
