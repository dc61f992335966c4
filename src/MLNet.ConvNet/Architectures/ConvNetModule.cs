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

    private readonly List<(string Name, LayerSpec Spec, nn.Module<Tensor, Tensor> Module)> _layers = new();

    /// <summary>Loads libtorch if needed and builds the network with weights drawn from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The layers do not fit together or do not end in a softmax over the classes.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public static ConvNetModule Create(ConvNetArchitecture architecture, int numberOfClasses, int seed)
    {
        TorchRuntime.EnsureLoaded();
        lock (_globalGenerator)
        {
            torch.manual_seed(seed);
            return new ConvNetModule(architecture, numberOfClasses);
        }
    }

    /// <summary>Builds the network for <paramref name="architecture"/> with <paramref name="numberOfClasses"/> outputs.</summary>
    /// <exception cref="ArgumentException">The layers do not fit together or do not end in a softmax over the classes.</exception>
    public ConvNetModule(ConvNetArchitecture architecture, int numberOfClasses) : base(architecture?.Name ?? "ConvNet")
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (numberOfClasses < 2)
            throw new ArgumentOutOfRangeException(nameof(numberOfClasses), numberOfClasses, "A classifier needs at least 2 classes.");

        Architecture = architecture;
        NumberOfClasses = numberOfClasses;
        var specs = architecture.CreateLayers(numberOfClasses) ?? throw new ArgumentException($"Architecture '{architecture.Name}' returned no layers.");
        CheckClassifierHead(architecture, specs, numberOfClasses);

        var input = architecture.InputShape;
        if (input.Channels <= 0 || input.Height <= 0 || input.Width <= 0)
            throw new ArgumentException($"Architecture '{architecture.Name}' declares input shape {input}; every dimension must be positive.");

        var shape = new long[] { input.Channels, input.Height, input.Width };
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var summary = new List<LayerSummary>();
        using (torch.no_grad())
        {
            foreach (var spec in specs)
            {
                int seen = names.GetValueOrDefault(spec.NamePrefix);
                names[spec.NamePrefix] = seen + 1;
                string name = seen == 0 ? spec.NamePrefix : $"{spec.NamePrefix}_{seen}";

                var module = spec.Build(shape);
                long[] output;
                try
                {
                    using var probe = torch.zeros([1, .. shape]);
                    using var result = module.forward(probe);
                    output = result.shape[1..];
                }
                catch (Exception e) when (e is not ArgumentException)
                {
                    throw new ArgumentException($"Layer '{name}' ({spec.TypeName}) of architecture '{architecture.Name}' cannot take an input of shape [{string.Join(", ", shape)}]: {e.Message}", e);
                }
                if (output.Any(d => d <= 0))
                    throw new ArgumentException($"Layer '{name}' ({spec.TypeName}) of architecture '{architecture.Name}' shrinks its input [{string.Join(", ", shape)}] to [{string.Join(", ", output)}]; the input image is too small for the layers.");

                register_module(name, module);
                _layers.Add((name, spec, module));
                long parameters = module.parameters().Sum(p => p.numel());
                summary.Add(new LayerSummary(name, spec.TypeName, output, parameters));
                shape = output;
            }
        }
        Layers = summary;
        InitializeLikeKeras();
    }

    /// <summary>The architecture this model was built from.</summary>
    public ConvNetArchitecture Architecture { get; }

    /// <summary>The number of classes the last layer scores.</summary>
    public int NumberOfClasses { get; }

    /// <summary>Each layer's name, type, output shape and parameter count, as the summary shows them.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>The number of parameters, trainable or not.</summary>
    public long TotalParameters => parameters().Sum(p => p.numel());

    /// <summary>The number of parameters the optimizer updates.</summary>
    public long TrainableParameters => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Returns the logits: every layer's output, with its activation, except the final softmax.</summary>
    /// <param name="input">A batch shaped <c>[batch, channels, height, width]</c>.</param>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var (_, spec, module) in _layers)
        {
            x = spec.Activation.Apply(module.forward(x));
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
        var shape = Architecture.InputShape;
        string x = graph.AddNode("Reshape", [features, graph.AddInitializer(new long[] { -1, shape.Channels, shape.Height, shape.Width }, [4], "input_shape")], "image");
        foreach (var (name, spec, module) in _layers)
        {
            try
            {
                x = spec.Activation.ExportOnnx(graph, spec.ExportOnnx(graph, x, module, name), name);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"Architecture '{Architecture.Name}' cannot be exported to ONNX. {e.Message} " +
                    "Train it with built-in layers to export it, or score it with the ConvNet transformer (libtorch).", e);
            }
        }
        return x;
    }

    /// <summary>Copies every parameter out of libtorch, in parameter order.</summary>
    public IReadOnlyList<NamedTensor> SnapshotWeights()
    {
        var result = new List<NamedTensor>();
        foreach (var (name, parameter) in named_parameters())
        {
            using var values = parameter.detach().cpu().contiguous();
            result.Add(new NamedTensor(name, parameter.shape, values.data<float>().ToArray()));
        }
        return result;
    }

    /// <summary>Copies <paramref name="tensors"/>, already checked against this network's names and shapes, into its parameters.</summary>
    public void LoadWeights(IReadOnlyList<NamedTensor> tensors)
    {
        using var noGrad = torch.no_grad();
        var parameters = named_parameters().ToList();
        for (int i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i].parameter;
            using var source = torch.tensor(tensors[i].Values, parameter.shape);
            parameter.copy_(source);
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
        foreach (var (_, _, module) in _layers)
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
