using MLNet.ConvNet.Common;
using MLNet.ConvNet.Layers;
using MLNet.ConvNet.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// The TorchSharp module that stacks an architecture's layers. It finds every layer's input and output
/// shape by running a zero tensor through the layers once, initialises weights as Keras does
/// (Glorot-uniform weights, zero biases), and returns logits from <c>forward</c>; the final softmax is
/// applied by <see cref="Probabilities"/>.
/// </summary>
internal sealed class ConvNetModule : nn.Module<Tensor, Tensor>
{
    // Weight initialisation draws from libtorch's global generator, so creation is serialised: two trainers on
    // two threads still get the weights their seeds promise.
    private static readonly object _globalGenerator = new();

    private readonly List<(string Name, LayerSpec Spec, nn.Module<Tensor, Tensor> Module, long[] InputShape)> _layers = new();

    /// <summary>Loads libtorch if needed and builds the network for <paramref name="input"/> images, with weights drawn from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The layers do not fit together or the images are too small for them; the message names the layer.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public static ConvNetModule Create(ConvNetArchitecture architecture, ImageShape input, int numberOfClasses, int seed)
    {
        TorchRuntime.EnsureLoaded();
        lock (_globalGenerator)
        {
            torch.manual_seed(seed);
            return new ConvNetModule(architecture, input, numberOfClasses);
        }
    }

    /// <summary>Builds the network for the architecture's own input shape.</summary>
    public ConvNetModule(ConvNetArchitecture architecture, int numberOfClasses)
        : this(architecture, architecture?.InputShape ?? default, numberOfClasses)
    {
    }

    /// <summary>Builds the network for <paramref name="input"/> images with <paramref name="numberOfClasses"/> outputs.</summary>
    /// <exception cref="ArgumentException">The layers do not fit together, the images are too small for them, or the head is not a softmax over the classes.</exception>
    public ConvNetModule(ConvNetArchitecture architecture, ImageShape input, int numberOfClasses) : base(architecture?.Name ?? "ConvNet")
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (numberOfClasses < 2)
            throw new ArgumentOutOfRangeException(nameof(numberOfClasses), numberOfClasses, "A classifier needs at least 2 classes.");
        if (input.Channels <= 0 || input.Height <= 0 || input.Width <= 0)
            throw new ArgumentException($"Architecture '{architecture.Name}' cannot take input images of shape {input}; every dimension must be positive.");

        Architecture = architecture;
        InputShape = input;
        NumberOfClasses = numberOfClasses;
        var specs = LayerSpecs(architecture, numberOfClasses);
        var summary = new List<LayerSummary>();
        using (torch.no_grad())
        {
            var reaching = new long[] { input.Channels, input.Height, input.Width };
            var (problem, cause) = Stack(architecture, specs, input, (name, spec, module, output) =>
            {
                register_module(name, module);
                _layers.Add((name, spec, module, reaching));
                reaching = output;
                summary.Add(new LayerSummary(name, spec.TypeName, output, StateOf(module).Sum(t => t.Tensor.numel())));
            });
            if (problem is not null)
                throw new ArgumentException(problem.TrimEnd('.') + "." + SmallestInputThatFits(architecture, input, numberOfClasses), cause);
        }
        Layers = summary;
        InitializeLikeKeras();
    }

    private static IReadOnlyList<LayerSpec> LayerSpecs(ConvNetArchitecture architecture, int numberOfClasses)
    {
        var specs = architecture.CreateLayers(numberOfClasses) ?? throw new ArgumentException($"Architecture '{architecture.Name}' returned no layers.");
        CheckClassifierHead(architecture, specs, numberOfClasses);
        return specs;
    }

    /// <summary>
    /// Builds each layer for the shape that reaches it and runs a zero image through it to find the next shape; hands
    /// every layer to <paramref name="add"/>. Returns null, or why the layers do not fit <paramref name="input"/> and
    /// the exception that said so (libtorch's, with its backtrace, stays there rather than in the message).
    /// </summary>
    private static (string? Problem, Exception? Cause) Stack(ConvNetArchitecture architecture, IReadOnlyList<LayerSpec> specs, ImageShape input, Action<string, LayerSpec, nn.Module<Tensor, Tensor>, long[]> add)
    {
        var shape = new long[] { input.Channels, input.Height, input.Width };
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            int seen = names.GetValueOrDefault(spec.NamePrefix);
            names[spec.NamePrefix] = seen + 1;
            string name = seen == 0 ? spec.NamePrefix : $"{spec.NamePrefix}_{seen}";
            string where = $"Layer '{name}' ({spec.TypeName}) of architecture '{architecture.Name}', on {input} images,";
            nn.Module<Tensor, Tensor> module;
            long[] output;
            try
            {
                module = spec.Build(shape);
                module.eval();
                using var probe = torch.zeros([1, .. shape]);
                using var result = module.forward(probe);
                output = result.shape[1..];
            }
            catch (ArgumentException e)
            {
                return ($"{where} cannot take an input of shape [{string.Join(", ", shape)}]: {e.Message}", e);
            }
            catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
            {
                return ($"{where} cannot take an input of shape [{string.Join(", ", shape)}]: {ExceptionChain.FirstLine(e.Message)}", e);
            }
            if (output.Any(d => d <= 0))
                return ($"{where} shrinks its input [{string.Join(", ", shape)}] to [{string.Join(", ", output)}]: the images are too small for the layers.", null);
            add(name, spec, module, output);
            shape = output;
        }
        return (null, null);
    }

    /// <summary>" The smallest square input it takes is CxSxS." when a larger square image would fit, else "".</summary>
    private static string SmallestInputThatFits(ConvNetArchitecture architecture, ImageShape input, int numberOfClasses)
    {
        int from = Math.Max(input.Height, input.Width) + 1;
        for (int size = from; size <= Math.Max(from, 1024); size++)
        {
            var modules = new List<nn.Module<Tensor, Tensor>>();
            var (problem, _) = Stack(architecture, LayerSpecs(architecture, numberOfClasses), new ImageShape(input.Channels, size, size), (_, _, module, _) => modules.Add(module));
            foreach (var module in modules)
                module.Dispose();
            if (problem is null)
                return $" The smallest square input it takes is {input.Channels}x{size}x{size}.";
        }
        return "";
    }

    /// <summary>The weights and float buffers (a batch normalisation's running statistics) of a module, in order.</summary>
    private static IEnumerable<(string Name, Tensor Tensor)> StateOf(nn.Module module)
        => module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Where(b => b.buffer.dtype == ScalarType.Float32).Select(b => (b.name, b.buffer)));

    /// <summary>The architecture this model was built from.</summary>
    public ConvNetArchitecture Architecture { get; }

    /// <summary>The shape of the images the network was built for.</summary>
    public ImageShape InputShape { get; }

    /// <summary>The number of classes the last layer scores.</summary>
    public int NumberOfClasses { get; }

    /// <summary>Each layer's name, type, output shape and parameter count, as the summary shows them.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>The number of parameters, trainable or not.</summary>
    public long TotalParameters => State().Sum(t => t.Tensor.numel());

    /// <summary>The number of parameters the optimizer updates.</summary>
    public long TrainableParameters => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Returns the logits: every layer's output, with its activation, except the final softmax.</summary>
    /// <param name="input">A batch shaped <c>[batch, channels, height, width]</c>.</param>
    public override Tensor forward(Tensor input) => Forward(input, observe: null);

    /// <summary>
    /// As <see cref="forward"/>, handing each layer's output (after its activation; the last layer's logits) to
    /// <paramref name="observe"/> with the layer's index in <see cref="Layers"/>.
    /// </summary>
    public Tensor Forward(Tensor input, Action<int, Tensor>? observe)
    {
        var x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            var (_, spec, module, _) = _layers[i];
            x = spec.Activation.Apply(module.forward(x));
            observe?.Invoke(i, x);
        }
        return x;
    }

    /// <summary>Returns the softmax of the logits: one probability per class for each image.</summary>
    public Tensor Probabilities(Tensor input) => nn.functional.softmax(forward(input), 1);

    /// <summary>Formats the Keras-style summary: layer, output shape and parameter count, then the totals.</summary>
    public string Summary() => ModelSummary.Format(this);

    /// <summary>
    /// Writes the network into an ONNX graph: the flat features reshaped to <c>[N, channels, height, width]</c>, then
    /// every layer with its activation and weights. Returns the logits variable (the softmax is the caller's).
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it and the architecture.</exception>
    public string ExportOnnx(IOnnxGraph graph, string features)
    {
        var shape = InputShape;
        string x = graph.AddNode("Reshape", [features, graph.AddInitializer(new long[] { -1, shape.Channels, shape.Height, shape.Width }, [4], "input_shape")], "image");
        foreach (var (name, spec, module, inputShape) in _layers)
        {
            try
            {
                x = spec.Activation.ExportOnnx(graph, spec.ExportOnnx(graph, x, inputShape, module, name), name);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"Architecture '{Architecture.Name}' cannot be exported to ONNX. {e.Message} " +
                    "Train it with built-in layers to export it, or score it with the ConvNet transformer (libtorch).", e);
            }
        }
        return x;
    }

    /// <summary>
    /// Every tensor a saved model must hold, in a fixed order: the parameters, then the float buffers (a batch
    /// normalisation's running mean and variance). Networks without buffers list exactly their parameters.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> State() => StateOf(this).ToList();

    /// <summary>Copies every tensor of <see cref="State"/> out of libtorch.</summary>
    public IReadOnlyList<NamedTensor> SnapshotWeights()
    {
        var result = new List<NamedTensor>();
        foreach (var (name, tensor) in State())
        {
            using var values = tensor.detach().cpu().contiguous();
            result.Add(new NamedTensor(name, tensor.shape, values.data<float>().ToArray()));
        }
        return result;
    }

    /// <summary>Copies <paramref name="tensors"/>, already checked against <see cref="State"/>'s names and shapes, into the network.</summary>
    public void LoadWeights(IReadOnlyList<NamedTensor> tensors)
    {
        using var noGrad = torch.no_grad();
        var state = State();
        for (int i = 0; i < state.Count; i++)
        {
            var target = state[i].Tensor;
            using var source = torch.tensor(tensors[i].Values, target.shape);
            target.copy_(source);
        }
    }

    private static void CheckClassifierHead(ConvNetArchitecture architecture, IReadOnlyList<LayerSpec> specs, int numberOfClasses)
    {
        if (specs.Count == 0 || specs[^1] is not Dense last || last.Activation != Activation.Softmax)
            throw new ArgumentException($"Architecture '{architecture.Name}' must end with a Dense layer with Activation.Softmax; it ends with {(specs.Count == 0 ? "no layer" : specs[^1].TypeName + " with " + specs[^1].Activation)}.");
        if (last.Units != numberOfClasses)
            throw new ArgumentException($"Architecture '{architecture.Name}' ends with Dense({last.Units}) but the label has {numberOfClasses} classes; build the last layer from the numberOfClasses argument.");
        if (specs.Take(specs.Count - 1).Any(s => s.Activation == Activation.Softmax))
            throw new ArgumentException($"Architecture '{architecture.Name}' uses Activation.Softmax before its last layer; only the last layer may use it.");
    }

    private void InitializeLikeKeras()
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, _, module, _) in _layers)
        {
            foreach (var (name, parameter) in module.named_parameters())
            {
                if (name == "bias")
                    nn.init.zeros_(parameter);
                else if (parameter.dim() >= 2)
                    nn.init.xavier_uniform_(parameter);
            }
        }
    }
}
