using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// A 2-D convolution, as Keras <c>Conv2D(filters, kernel_size, strides, padding, use_bias)</c>: <c>filters</c> kernels
/// of <c>kernelSize x kernelSize x channels</c> weights plus one bias each (none with <see cref="UseBias"/> false).
/// <see cref="ExplicitPadding"/> pads each side as given, as ONNX's <c>pads</c> do (ResNet's stem pads 3 before and 2 after).
/// </summary>
public sealed class Conv2D : LayerSpec, IBuiltInLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="filters">Number of output channels.</param>
    /// <param name="kernelSize">Height and width of the square kernel.</param>
    /// <param name="strides">Step between kernel positions, in both directions. Defaults to 1.</param>
    /// <param name="padding">Keras' "valid" or "same". Defaults to <see cref="ConvPadding.Valid"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Conv2D(int filters, int kernelSize, int strides = 1, ConvPadding padding = ConvPadding.Valid)
    {
        Filters = Ranges.Check(filters, filters > 0, nameof(filters), "at least 1");
        KernelSize = Ranges.Check(kernelSize, kernelSize > 0, nameof(kernelSize), "at least 1 (a 1x1 kernel)");
        Strides = Ranges.Check(strides, strides > 0, nameof(strides), "at least 1");
        Padding = Ranges.Check(padding, Enum.IsDefined(padding), nameof(padding), "ConvPadding.Valid or ConvPadding.Same");
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Height and width of the square kernel.</summary>
    public int KernelSize { get; }

    /// <summary>Step between kernel positions. Defaults to 1.</summary>
    public int Strides { get; }

    /// <summary>Valid or same. Defaults to <see cref="ConvPadding.Valid"/>.</summary>
    public ConvPadding Padding { get; }

    /// <summary>
    /// Zeros before and after the height and width, side by side, in place of <see cref="Padding"/> (which must then be
    /// <see cref="ConvPadding.Valid"/>). Defaults to null.
    /// </summary>
    /// <exception cref="ArgumentException">Set together with <see cref="ConvPadding.Same"/>.</exception>
    public Padding2D? ExplicitPadding
    {
        get => _explicitPadding;
        init => _explicitPadding = value is null || Padding == ConvPadding.Valid ? value
            : throw new ArgumentException($"Conv2D takes ExplicitPadding or ConvPadding.Same, not both; got {value} with Same.", nameof(ExplicitPadding));
    }

    private readonly Padding2D? _explicitPadding;

    /// <summary>Whether each filter adds a bias. Defaults to true, as Keras' <c>use_bias</c>.</summary>
    public bool UseBias { get; init; } = true;

    /// <summary>
    /// How many groups the input channels and the filters split into, each group of filters seeing only its group of
    /// channels, as Keras' <c>groups</c>: as many groups as channels (and filters) is a depthwise convolution, as
    /// MobileNet's and EfficientNet's. Both the input channels and <see cref="Filters"/> must divide by it. Defaults to 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1, or to a number that does not divide the filters.</exception>
    public int Groups
    {
        get => _groups;
        init => _groups = Ranges.Check(value, value > 0 && Filters % value == 0, nameof(Groups), $"at least 1 and a divisor of the {Filters} filters");
    }

    private readonly int _groups = 1;

    /// <summary>The spacing between the kernel's taps, as Keras' <c>dilation_rate</c>: 2 spreads a 3x3 kernel over 5x5. Defaults to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int Dilation
    {
        get => _dilation;
        init => _dilation = Ranges.Check(value, value > 0, nameof(Dilation), "at least 1");
    }

    private readonly int _dilation = 1;

    /// <summary>The height and width the kernel spans with its dilation.</summary>
    private int Span => Dilation * (KernelSize - 1) + 1;

    /// <inheritdoc />
    public override string TypeName => "Conv2D";

    /// <inheritdoc />
    public override string NamePrefix => "conv2d";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        if (inputShape[0] % Groups != 0)
            throw new ArgumentException($"Conv2D with {Groups} groups needs input channels that divide by {Groups}, got {Format(inputShape)}.", nameof(inputShape));
        var (top, bottom) = Pads(inputShape[1], height: true);
        var (left, right) = Pads(inputShape[2], height: false);
        if (inputShape[1] + top + bottom < Span || inputShape[2] + left + right < Span)
            throw new ArgumentException($"Conv2D with a {KernelSize}x{KernelSize} kernel{(Dilation > 1 ? $" dilated by {Dilation}" : "")} needs an input of at least {Span}x{Span}, got {Format(inputShape)}.", nameof(inputShape));
        return new Convolution(inputShape[0], Filters, KernelSize, Strides, [left, right, top, bottom], UseBias, Groups, Dilation);
    }

    /// <summary>
    /// Zeros before and after one dimension of <paramref name="size"/>: the explicit padding (height first), or as Keras
    /// pads for <see cref="ConvPadding.Same"/>.
    /// </summary>
    private (long Before, long After) Pads(long size, bool height)
    {
        if (ExplicitPadding is { } pads)
            return height ? (pads.Top, pads.Bottom) : (pads.Left, pads.Right);
        if (Padding == ConvPadding.Valid)
            return (0, 0);
        long output = (size + Strides - 1) / Strides;
        long total = Math.Max((output - 1) * Strides + Span - size, 0);
        return (total / 2, total - total / 2);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
    {
        var (top, bottom) = Pads(inputShape[1], height: true);
        var (left, right) = Pads(inputShape[2], height: false);
        string[] inputs = UseBias
            ? [input, Initializer(graph, module, "weight", name), Initializer(graph, module, "bias", name)]
            : [input, Initializer(graph, module, "weight", name)];
        var attributes = new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { KernelSize, KernelSize },
            ["strides"] = new long[] { Strides, Strides },
            ["pads"] = new long[] { top, left, bottom, right },
        };
        if (Groups != 1)
            attributes["group"] = (long)Groups;
        if (Dilation != 1)
            attributes["dilations"] = new long[] { Dilation, Dilation };
        return graph.AddNode("Conv", inputs, name, attributes);
    }

    internal override void WriteSettings(LayerSettings settings)
    {
        settings.Set("filters", Filters);
        settings.Set("kernelSize", KernelSize);
        settings.Set("strides", Strides);
        settings.Set("convPadding", Padding.ToString());
        settings.SetPadding("padding", ExplicitPadding);
        settings.Set("useBias", UseBias);
        if (Groups != 1)
            settings.Set("groups", Groups);
        if (Dilation != 1)
            settings.Set("dilation", Dilation);
    }

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings)
        => new Conv2D(settings.Int("filters"), settings.Int("kernelSize"), settings.Int("strides"), Enum.Parse<ConvPadding>(settings.Text("convPadding")))
        {
            ExplicitPadding = settings.Padding("padding"),
            UseBias = settings.Bool("useBias"),
            Groups = settings.Int("groups", 1),
            Dilation = settings.Int("dilation", 1),
        };

    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Conv", ReadOnnx)];

    /// <summary>An ONNX Conv with its weights (torch's layout, [filters, channels / groups, k, k]) and bias.</summary>
    private static void ReadOnnx(IOnnxNode node)
    {
        var (dims, values) = node.Weight(1, "weights");
        if (dims.Length != 4)
            throw node.Refuse($"weights of shape [{string.Join(", ", dims)}]; 2-D convolutions ([filters, channels, height, width]) are read");
        int kernel = OnnxWindows.Square(node, dims[2..]);
        var (padding, explicitPadding) = OnnxWindows.Padding(node);
        bool bias = node.HasInput(2);
        var spec = new Conv2D((int)dims[0], kernel, OnnxWindows.Strides(node), padding)
        {
            ExplicitPadding = explicitPadding,
            UseBias = bias,
            Groups = (int)(node.Int("group") ?? 1),
            Dilation = OnnxWindows.Dilation(node),
        };
        string name = node.AddLayer(spec);
        node.AddWeight(name, "weight", dims, values);
        if (bias)
        {
            var (biasDims, biasValues) = node.Weight(2, "bias");
            node.AddWeight(name, "bias", biasDims, biasValues);
        }
    }

    /// <summary>
    /// The convolution, with uneven zero padding (left, right, top, bottom) where asked, which nn.Conv2d cannot express.
    /// libtorch 2.10's oneDNN computes the gradient with respect to a channel-major (NCHW) input wrongly for small layers
    /// (fewer than 16 filters of 5x5 or more: 20-40% off, and varying with the thread count, on this project's AMD EPYC
    /// with AVX-512; ConvolutionGradientTests), so a layer of fewer than 16 filters takes its input channels-last. Larger
    /// layers keep the layout they are given: channels-last is where oneDNN's forward pass goes wrong for them (a 1x1
    /// stride-2 convolution of 256 to 512 channels at 4x4, ResNet18's last downsampling: 87% off; ResNet18Tests). A
    /// 1-channel input is channel-major whatever its strides. Training never needs the gradient of a 1-channel input;
    /// saliency does, so such an input that asks for its gradient goes through the same convolution with a second,
    /// all-zero channel and zero weights for it, whose gradient is right. The forward result is the same either way.
    /// </summary>
    private sealed class Convolution : nn.Module<Tensor, Tensor>
    {
        /// <summary>Filters below which oneDNN's gradient of a channel-major input was found wrong.</summary>
        private const long SmallLayer = 16;

        private readonly long _stride, _groups, _dilation;

        private readonly long[]? _pads;

        private readonly long[] _padding;

        public Convolution(long inputChannels, long filters, long kernel, long stride, long[] pads, bool useBias, long groups, long dilation) : base("conv2d")
        {
            _stride = stride;
            _groups = groups;
            _dilation = dilation;
            bool even = pads[0] == pads[1] && pads[2] == pads[3];
            _pads = even ? null : pads;
            _padding = even ? [pads[2], pads[0]] : [0, 0];
            weight = nn.Parameter(torch.empty(filters, inputChannels / groups, kernel, kernel));
            bias = useBias ? nn.Parameter(torch.zeros(filters)) : null;
            if (even)
            {
                // The draws nn.Conv2d's constructor makes (its reset_parameters), which this layer used to be: Keras'
                // initialisation overwrites the values, but the seeded generator must move on as before, or every layer
                // after this one would start from other weights than the same seed gave until now.
                nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
                if (bias is not null)
                    nn.init.uniform_(bias, -1 / Math.Sqrt(inputChannels / groups * kernel * kernel), 1 / Math.Sqrt(inputChannels / groups * kernel * kernel));
            }
            RegisterComponents();
        }

#pragma warning disable IDE1006 // the names the saved model and Keras-style initialisation know
        private readonly TorchSharp.Modules.Parameter weight;
        private readonly TorchSharp.Modules.Parameter? bias;
#pragma warning restore IDE1006

        public override Tensor forward(Tensor input)
        {
            using var scope = torch.NewDisposeScope();
            var x = _pads is null ? input : nn.functional.pad(input, _pads);
            Tensor output;
            if (x.shape[1] > 1 && weight.shape[2] == 1 && x.shape[0] > 1 && InputBatch.IsChannelsLast(x))
            {
                // libtorch 2.10's CPU 1x1 convolution of a channels-last batch of more than one image is wrong for some
                // shapes (512 outputs from 4x4 or 2x2 maps, as torchvision's ResNet18 has at 64x64): on the
                // channel-major copy it is right. The output goes back to channels-last for the layers after it.
                output = InputBatch.ToChannelsLast(nn.functional.conv2d(x.contiguous(), weight, bias, strides: [_stride, _stride], padding: _padding, dilation: [_dilation, _dilation], groups: _groups));
            }
            else if (x.shape[1] > 1)
            {
                var layout = weight.shape[0] < SmallLayer && !InputBatch.IsChannelsLast(x) ? InputBatch.ToChannelsLast(x) : x;
                output = nn.functional.conv2d(layout, weight, bias, strides: [_stride, _stride], padding: _padding, dilation: [_dilation, _dilation], groups: _groups);
            }
            else if (x.requires_grad)
            {
                var twoChannels = InputBatch.ToChannelsLast(torch.cat([x, torch.zeros_like(x)], 1));
                output = nn.functional.conv2d(twoChannels, torch.cat([weight, torch.zeros_like(weight)], 1), bias, strides: [_stride, _stride], padding: _padding, dilation: [_dilation, _dilation], groups: _groups);
            }
            else
            {
                output = nn.functional.conv2d(x, weight, bias, strides: [_stride, _stride], padding: _padding, dilation: [_dilation, _dilation], groups: _groups);
            }
            return output.MoveToOuterDisposeScope();
        }
    }
}
