using MLNet.ConvNet.Common;
using MLNet.ConvNet.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// How an architecture's layers fit together, worked out once when <see cref="ConvNetModule"/> builds them: every
/// layer's name (Keras-style where none is given), the layers it takes, the shape that reaches it and the shape it puts
/// out (by running zeros through it, <see cref="LayerProbe"/>), the classifier head's checks, and, when the images do
/// not fit, the nearest sizes that do. <see cref="ConvNetModule"/> runs, freezes and exports what this builds.
/// </summary>
internal static class NetworkLayout
{
    /// <summary>One built layer: its name, spec and module, the shape reaching it, and the layers it takes (-1: the images).</summary>
    internal sealed record Node(string Name, LayerSpec Spec, nn.Module<Tensor, Tensor> Module, long[] InputShape, int[] Inputs);

    internal static IReadOnlyList<LayerSpec> LayerSpecs(ConvNetArchitecture architecture, int numberOfClasses)
    {
        var specs = architecture.CreateLayers(numberOfClasses) ?? throw new ArgumentException($"Architecture '{architecture.Name}' returned no layers.");
        CheckClassifierHead(architecture, specs, numberOfClasses);
        return specs;
    }

    /// <summary>
    /// Builds each layer for the shape that reaches it (from the layer before, or from the layers it names) and runs a
    /// zero image through it to find its output shape; hands every layer to <paramref name="add"/>. Returns null, or why
    /// the layers do not fit <paramref name="input"/> and the exception that said so (libtorch's, with its backtrace,
    /// stays there rather than in the message).
    /// </summary>
    internal static (string? Problem, Exception? Cause) Stack(ConvNetArchitecture architecture, IReadOnlyList<LayerSpec> specs, ImageShape input, Action<Node, long[]> add)
    {
        var image = new long[] { input.Channels, input.Height, input.Width };
        var shapes = new List<long[]>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            string name = spec.Name ?? AutomaticName(spec.NamePrefix, counts, index);
            if (name == LayerSpec.NetworkInput || index.ContainsKey(name))
                return ($"Architecture '{architecture.Name}' names two layers '{name}'{(name == LayerSpec.NetworkInput ? " (the name of the network's input)" : "")}; every layer needs a name of its own.", null);
            string where = $"Layer '{name}' ({spec.TypeName}) of architecture '{architecture.Name}', on {input} images,";
            var (inputs, inputProblem) = InputsOf(spec, i, index);
            if (inputProblem is not null)
                return ($"{where} {inputProblem}", null);
            var reaching = inputs.Select(j => j < 0 ? image : shapes[j]).ToList();
            if (spec.Joins != (inputs.Length > 1))
                return ($"{where} takes {(spec.Joins ? "two or more inputs" : "one input")}, not {inputs.Length}; only a join such as Add takes several.", null);
            var shape = reaching[0];
            nn.Module<Tensor, Tensor> module;
            long[] output;
            try
            {
                (module, output) = LayerProbe.Build(spec, reaching);
            }
            catch (ArgumentException e) when (spec.Joins)
            {
                return ($"{where} {e.Message}", e);
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
            index[name] = i;
            shapes.Add(output);
            add(new Node(name, spec, module, shape, inputs), output);
        }
        return (null, null);
    }

    /// <summary>The next Keras-style name for <paramref name="prefix"/> (conv2d, conv2d_1, ...) that no layer has yet.</summary>
    internal static string AutomaticName(string prefix, Dictionary<string, int> counts, Dictionary<string, int> taken)
    {
        while (true)
        {
            int seen = counts.GetValueOrDefault(prefix);
            counts[prefix] = seen + 1;
            string name = seen == 0 ? prefix : $"{prefix}_{seen}";
            if (!taken.ContainsKey(name))
                return name;
        }
    }

    /// <summary>The indices of the layers <paramref name="spec"/> takes (-1 for the images), or why they cannot be found.</summary>
    internal static (int[] Inputs, string? Problem) InputsOf(LayerSpec spec, int position, Dictionary<string, int> index)
    {
        if (spec.Inputs is null)
            return ([position - 1], null);
        if (spec.Inputs.Count == 0)
            return ([], "names no inputs; leave Inputs null to take the layer before it.");
        var inputs = new int[spec.Inputs.Count];
        for (int k = 0; k < inputs.Length; k++)
        {
            string wanted = spec.Inputs[k];
            if (wanted == LayerSpec.NetworkInput)
                inputs[k] = -1;
            else if (index.TryGetValue(wanted, out int found))
                inputs[k] = found;
            else
                return ([], $"takes '{wanted}', which is no layer before it (the layers before it: {(index.Count == 0 ? "none" : string.Join(", ", index.Keys))}; '{LayerSpec.NetworkInput}' is the images).");
        }
        return (inputs, null);
    }

    /// <summary>
    /// " The square inputs nearest to it that fit: CxAxA and CxBxB." (the largest smaller one that fits, the smallest larger
    /// one), or only the one there is, else "". Residual networks with uneven padding take only some sizes (multiples of 32).
    /// </summary>
    internal static string SmallestInputThatFits(ConvNetArchitecture architecture, ImageShape input, int numberOfClasses)
    {
        bool Fits(int size)
        {
            var modules = new List<nn.Module<Tensor, Tensor>>();
            var (problem, _) = Stack(architecture, LayerSpecs(architecture, numberOfClasses), new ImageShape(input.Channels, size, size), (node, _) => modules.Add(node.Module));
            foreach (var module in modules)
                module.Dispose();
            return problem is null;
        }
        int current = Math.Max(input.Height, input.Width);
        int? below = null, above = null;
        for (int size = Math.Min(input.Height, input.Width) - 1; size >= 1 && below is null; size--)
            below = Fits(size) ? size : null;
        // Up to twice the size and a little more: enough for any architecture that fits larger images at all.
        for (int size = current + 1; size <= 2 * current + 32 && above is null; size++)
            above = Fits(size) ? size : null;
        string Square(int size) => $"{input.Channels}x{size}x{size}";
        return (below, above) switch
        {
            (int b, int a) => $" The square inputs nearest to it that fit: {Square(b)} and {Square(a)}.",
            (null, int a) => $" The smallest square input it takes is {Square(a)}.",
            (int b, null) => $" The largest square input below it that fits is {Square(b)}.",
            _ => "",
        };
    }

    internal static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>
    /// The head: the last layer scores the classes with Activation.Softmax, and only it does. A Dense layer must have one
    /// unit per class; another last layer (SqueezeNet's average of a convolution with one filter per class) must put out
    /// one score per class, which <see cref="CheckScores"/> sees once the shapes are known.
    /// </summary>
    internal static void CheckClassifierHead(ConvNetArchitecture architecture, IReadOnlyList<LayerSpec> specs, int numberOfClasses)
    {
        if (specs.Count == 0 || specs[^1].Activation != Activation.Softmax)
            throw new ArgumentException($"Architecture '{architecture.Name}' must end with a Dense layer with Activation.Softmax (or another layer with it that puts out one score per class); it ends with {(specs.Count == 0 ? "no layer" : specs[^1].TypeName + " with " + specs[^1].Activation)}.");
        if (specs[^1] is Dense last && last.Units != numberOfClasses)
            throw new ArgumentException($"Architecture '{architecture.Name}' ends with Dense({last.Units}) but the label has {numberOfClasses} classes; build the last layer from the numberOfClasses argument.");
        if (specs.Take(specs.Count - 1).Any(s => s.Activation == Activation.Softmax))
            throw new ArgumentException($"Architecture '{architecture.Name}' uses Activation.Softmax before its last layer; only the last layer may use it.");
    }

    internal static void CheckScores(ConvNetArchitecture architecture, LayerSummary last, int numberOfClasses)
    {
        if (last.OutputShape is not [long scores] || scores != numberOfClasses)
            throw new ArgumentException($"Architecture '{architecture.Name}' ends with {last.TypeName} putting out {Shape(last.OutputShape)}, but the label has {numberOfClasses} classes: the last layer must put out one score per class ([{numberOfClasses}]).");
    }

    /// <summary>The weights and float buffers (a batch normalisation's running statistics) of a module, in order.</summary>
    internal static IEnumerable<(string Name, Tensor Tensor)> StateOf(nn.Module module)
        => module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Where(b => b.buffer.dtype == ScalarType.Float32).Select(b => (b.name, b.buffer)));
}
