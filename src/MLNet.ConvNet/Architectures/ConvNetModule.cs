using MLNet.ConvNet.Common;
using MLNet.ConvNet.Layers;
using MLNet.ConvNet.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// The TorchSharp module that runs an architecture's layers: a plain stack, or a graph when layers name their inputs
/// (a residual block's Add). <see cref="NetworkLayout"/> builds the layers and finds their shapes; this module
/// initialises weights as Keras does (Glorot-uniform weights, zero biases), runs them and returns logits from
/// <c>forward</c> (the final softmax is applied by <see cref="Probabilities"/>), freezes them for fine-tuning, loads and
/// copies out their weights, and writes them into ONNX.
/// </summary>
internal sealed class ConvNetModule : nn.Module<Tensor, Tensor>
{
    // Weight initialisation draws from libtorch's global generator, so creation is serialised: two trainers on
    // two threads still get the weights their seeds promise.
    private static readonly object _globalGenerator = new();

    private readonly List<NetworkLayout.Node> _layers = new();

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
        if (numberOfClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numberOfClasses), numberOfClasses, "A network needs at least 1 output (a classifier one per class, of at least 2).");
        if (input.Channels <= 0 || input.Height <= 0 || input.Width <= 0)
            throw new ArgumentException($"Architecture '{architecture.Name}' cannot take input images of shape {input}; every dimension must be positive.");

        Architecture = architecture;
        InputShape = input;
        NumberOfClasses = numberOfClasses;
        var specs = NetworkLayout.LayerSpecs(architecture, numberOfClasses);
        var summary = new List<LayerSummary>();
        using (torch.no_grad())
        {
            var (problem, cause) = NetworkLayout.Stack(architecture, specs, input, (node, output) =>
            {
                register_module(node.Name, node.Module);
                _layers.Add(node);
                var inputs = node.Inputs.Select(i => i < 0 ? LayerSpec.NetworkInput : _layers[i].Name).ToArray();
                summary.Add(new LayerSummary(node.Name, node.Spec.TypeName, output, NetworkLayout.StateOf(node.Module).Sum(t => t.Tensor.numel())) { Inputs = inputs });
            });
            if (problem is not null)
                throw new ArgumentException(problem.TrimEnd('.') + "." + NetworkLayout.SmallestInputThatFits(architecture, input, numberOfClasses), cause);
        }
        NetworkLayout.CheckScores(architecture, summary[^1], numberOfClasses);
        Layers = summary;
        IsGraph = _layers.Select((node, i) => node.Inputs.Length != 1 || node.Inputs[0] != i - 1).Any(x => x);
        InitializeLikeKeras();
    }

    /// <summary>The architecture this model was built from.</summary>
    public ConvNetArchitecture Architecture { get; }

    /// <summary>The shape of the images the network was built for.</summary>
    public ImageShape InputShape { get; }

    /// <summary>The number of classes the last layer scores.</summary>
    public int NumberOfClasses { get; }

    /// <summary>Each layer's name, type, output shape and parameter count, as the summary shows them.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Whether some layer takes another input than the layer before it (the summary then says what each takes).</summary>
    public bool IsGraph { get; }

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
        var outputs = new Tensor[_layers.Count];
        for (int i = 0; i < _layers.Count; i++)
        {
            var node = _layers[i];
            var x = node.Spec.Joins
                ? node.Spec.Join(node.Inputs.Select(j => j < 0 ? input : outputs[j]).ToList())
                : node.Inputs[0] < 0 ? input : outputs[node.Inputs[0]];
            outputs[i] = node.Spec.Activation.Apply(node.Module.forward(x));
            observe?.Invoke(i, outputs[i]);
        }
        return outputs[^1];
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
        string image = graph.AddNode("Reshape", [features, graph.AddInitializer(new long[] { -1, shape.Channels, shape.Height, shape.Width }, [4], "input_shape")], "image");
        var outputs = new string[_layers.Count];
        for (int i = 0; i < _layers.Count; i++)
        {
            var (name, spec, module, inputShape, inputs) = _layers[i];
            var x = inputs.Select(j => j < 0 ? image : outputs[j]).ToList();
            try
            {
                string joined = spec.Joins ? spec.ExportJoin(graph, x, name) : spec.ExportOnnx(graph, x[0], inputShape, module, name);
                outputs[i] = spec.Activation.ExportOnnx(graph, joined, name);
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"Architecture '{Architecture.Name}' cannot be exported to ONNX. {e.Message} " +
                    "Train it with built-in layers to export it, or score it with the ConvNet transformer (libtorch).", e);
            }
        }
        return outputs[^1];
    }

    /// <summary>
    /// Every tensor a saved model must hold, in a fixed order: the parameters, then the float buffers (a batch
    /// normalisation's running mean and variance). Networks without buffers list exactly their parameters.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> State() => NetworkLayout.StateOf(this).ToList();

    /// <summary>Copies every tensor of <see cref="State"/> out of libtorch.</summary>
    public IReadOnlyList<WeightTensor> SnapshotWeights()
    {
        var result = new List<WeightTensor>();
        foreach (var (name, tensor) in State())
        {
            using var values = tensor.detach().cpu().contiguous();
            result.Add(new WeightTensor(name, tensor.shape, values.data<float>().ToArray()));
        }
        return result;
    }

    /// <summary>Copies <paramref name="tensors"/>, already checked against <see cref="State"/>'s names and shapes, into the network.</summary>
    public void LoadWeights(IReadOnlyList<WeightTensor> tensors)
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

    // The batch normalisation modules that normalise with their running statistics even while training (fine-tuning).
    private IReadOnlyList<nn.Module> _keptStatistics = [];

    /// <summary>
    /// Freezes the layers named in <paramref name="frozen"/> (their parameters get no gradient, so no step moves them) and
    /// unfreezes the others; the BatchNormalization layers named in <paramref name="keepStatistics"/> normalise with their
    /// running statistics, and leave them as they are, while training. Takes effect at the next <see cref="train"/>.
    /// </summary>
    public void SetFrozen(IReadOnlySet<string> frozen, IReadOnlySet<string> keepStatistics)
    {
        foreach (var node in _layers)
        {
            foreach (var parameter in node.Module.parameters())
                parameter.requires_grad = !frozen.Contains(node.Name);
        }
        _keptStatistics = _layers.Where(n => n.Spec is BatchNormalization && keepStatistics.Contains(n.Name)).Select(n => (nn.Module)n.Module).ToList();
    }

    /// <summary>Training mode for every layer but the batch normalisations <see cref="SetFrozen"/> keeps in scoring mode.</summary>
    public override void train(bool on = true)
    {
        base.train(on);
        if (on)
        {
            foreach (var module in _keptStatistics)
                module.eval();
        }
    }

    /// <summary>Whether any layer is a dropout, whose masks are random.</summary>
    public bool HasDropout => _layers.Any(n => n.Module is DropoutModule);

    /// <summary>Draws every dropout layer's masks from <paramref name="generator"/> (null: libtorch's global generator).</summary>
    public void DrawDropoutFrom(Generator? generator)
    {
        foreach (var node in _layers)
        {
            if (node.Module is DropoutModule dropout)
                dropout.Generator = generator;
        }
    }

    /// <summary>The parameters of the layers <paramref name="include"/> picks by name, in the network's order.</summary>
    public IReadOnlyList<TorchSharp.Modules.Parameter> ParametersOf(Func<string, bool> include)
        => _layers.Where(n => include(n.Name)).SelectMany(n => n.Module.parameters()).ToList();

    /// <summary>The names of the layers whose weights come from a pretrained network.</summary>
    public IReadOnlyList<string> PretrainedLayers => _layers.Where(n => n.Spec.Pretrained).Select(n => n.Name).ToList();

    /// <summary>
    /// Copies <paramref name="weights"/> in: each tensor into the one of that name when the shapes agree. Every tensor of a
    /// pretrained layer must be given with its shape; a tensor for another layer whose shape differs (a head for other
    /// classes) or that the network lacks (a mean image for another input size) is left out. Returns how many were copied.
    /// </summary>
    /// <exception cref="ArgumentException">A pretrained layer's tensor is missing or has another shape; the message names it.</exception>
    public int LoadPretrained(IReadOnlyList<WeightTensor> weights)
    {
        var given = weights.ToDictionary(w => w.Name, StringComparer.Ordinal);
        var pretrained = _layers.Where(n => n.Spec.Pretrained).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        int copied = 0;
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in State())
        {
            string layer = name[..name.IndexOf('.', StringComparison.Ordinal)];
            bool required = pretrained.Contains(layer);
            if (!given.TryGetValue(name, out var source))
            {
                if (required)
                    throw new ArgumentException($"The pretrained weights of architecture '{Architecture.Name}' have no '{name}', which the pretrained layer '{layer}' needs ({NetworkLayout.Shape(tensor.shape)}).");
                continue;
            }
            if (!source.Shape.SequenceEqual(tensor.shape))
            {
                if (required)
                    throw new ArgumentException($"The pretrained weights of architecture '{Architecture.Name}' give '{name}' the shape {NetworkLayout.Shape(source.Shape)}, but the network built for {InputShape} images needs {NetworkLayout.Shape(tensor.shape)}.");
                continue;
            }
            using var values = torch.tensor(source.Values, tensor.shape);
            tensor.copy_(values);
            copied++;
        }
        return copied;
    }

    private void InitializeLikeKeras()
    {
        using var noGrad = torch.no_grad();
        foreach (var node in _layers)
        {
            foreach (var (name, parameter) in node.Module.named_parameters())
            {
                if (name == "bias")
                    nn.init.zeros_(parameter);
                else if (parameter.dim() >= 2)
                    nn.init.xavier_uniform_(parameter);
            }
        }
    }
}
