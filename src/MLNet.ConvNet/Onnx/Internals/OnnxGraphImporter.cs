using System.Globalization;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using Onnx;
using static MLNet.ConvNet.Onnx.Internals.OnnxTensors;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>
/// Turns the part of an ONNX graph between one image input and one output into layers of this library, in the file's
/// (topological) order, with their weights. Patterns of several nodes are rewritten first (<see cref="OnnxRewrites"/>);
/// then each node is shape arithmetic worked out at import (<see cref="OnnxShapeArithmetic"/>), an activation, or read
/// by the layer type that names its operator (<see cref="LayerTypes.OnnxReaders"/>, through <see cref="OnnxNodeView"/>).
/// Activations fold into the layer before them when nothing else reads that layer's output; a layer whose output
/// several layers read becomes a graph join, named in their Inputs. Every layer's output shape is known as it is added
/// (<see cref="LayerProbe"/>), so readers can check the shapes that reach them.
/// </summary>
internal sealed class OnnxGraphImporter
{
    /// <summary>Every ONNX operator the import reads, from the readers themselves.</summary>
    public static IReadOnlyList<string> Operators { get; } = LayerTypes.OnnxReaders.Keys
        .Concat(Activation.OnnxReaders.Keys)
        .Concat(OnnxShapeArithmetic.Operators)
        .Concat(["Softmax", "Identity", "Constant", "Transpose"])
        .Where(o => !OnnxRewrites.Made.Contains(o))
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private readonly GraphProto _graph;
    private readonly string _file;
    private readonly OnnxImportOptions _options;
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly List<NodeProto> _nodes;
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers;

    // What the import has made: the layers in order, their weights and output shapes, and which layer each ONNX tensor is the output of.
    private readonly List<LayerSpec> _layers = new();
    private readonly List<WeightTensor> _weights = new();
    private readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _layerOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _primaryTensor = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private HashSet<NodeProto> _needed = new();
    private string _output = "";

    public OnnxGraphImporter(GraphProto graph, string file, OnnxImportOptions options)
    {
        _graph = graph;
        _file = file;
        _options = options;
        foreach (var initializer in graph.Initializer)
            _constants[initializer.Name] = initializer;
        var nodes = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && Attribute(node, "value") is { T: { } value })
                _constants[node.Output[0]] = value;
            // PyTorch's exporter hands a weight it shares (or dedupes) through an Identity: the renamed tensor is that weight.
            else if (node.OpType == "Identity" && node.Input.Count == 1 && _constants.TryGetValue(node.Input[0], out var renamed))
                _constants[node.Output[0]] = renamed;
            else
                nodes.Add(node);
        }
        _nodes = OnnxRewrites.Apply(nodes, _constants, graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal));
        foreach (var node in _nodes)
        {
            foreach (var output in node.Output)
                _producers[output] = node;
        }
        _consumers = OnnxRewrites.Readers(_nodes);
    }

    public GraphArchitecture Import(string name)
    {
        string input = FindInput();
        _output = FindOutput(input);
        _needed = NodesBetween(input, _output);
        var shape = ImageShapeOf(input);
        _shapes[LayerSpec.NetworkInput] = [shape.Channels, shape.Height, shape.Width];
        foreach (var node in _nodes.Where(_needed.Contains))
            Read(node);
        if (!_layerOf.TryGetValue(_output, out var last) || last != _layers[^1].Name)
            throw new InvalidDataException($"The ONNX file '{_file}' ends its network at '{_output}', which the import could not follow to its last layer.");
        // A classifier that ends in logits (PyTorch's do: the softmax is in their loss) is a classifier all the same;
        // a final softmax is what this library's classifiers end with, and it computes the same probabilities.
        if (_layers[^1].Activation == Activation.None && _shapes[last].Length == 1)
            _layers[^1] = _layers[^1].With(last, _layers[^1].Inputs, Activation.Softmax, _layers[^1].Pretrained);
        return new GraphArchitecture(name, shape, _layers, _options.DefaultEpochs, _weights);
    }

    // ---- The input, the output and the nodes between them ----

    private string FindInput()
    {
        var inputs = _graph.Input.Where(i => !_constants.ContainsKey(i.Name)).ToList();
        if (_options.Input is { } wanted)
        {
            return inputs.Any(i => i.Name == wanted) ? wanted
                : throw new InvalidDataException($"The ONNX file '{_file}' has no graph input '{wanted}'; its inputs are {Names(inputs.Select(i => i.Name))}.");
        }
        var floats = inputs.Where(i => i.Type?.TensorType?.ElemType == (int)TensorProto.Types.DataType.Float).ToList();
        return floats.Count == 1 ? floats[0].Name
            : throw new InvalidDataException($"The ONNX file '{_file}' has the float inputs {Names(floats.Select(i => i.Name))}; name the one that takes the images in OnnxImportOptions.Input.");
    }

    private string FindOutput(string input)
    {
        if (_options.Output is { } wanted)
        {
            return _producers.ContainsKey(wanted) ? wanted
                : throw new InvalidDataException($"The ONNX file '{_file}' has no node that puts out '{wanted}' (OnnxImportOptions.Output).");
        }
        var reached = Reachable(input);
        var softmax = _nodes.FirstOrDefault(n => n.OpType == "Softmax" && reached.Contains(n.Input[0]));
        if (softmax is not null)
            return softmax.Output[0];
        var outputs = _graph.Output.Where(o => reached.Contains(o.Name) && o.Type?.TensorType?.ElemType == (int)TensorProto.Types.DataType.Float).Select(o => o.Name).ToList();
        return outputs.Count == 1 ? outputs[0]
            : throw new InvalidDataException($"The ONNX file '{_file}' has no Softmax after its input and the float outputs {Names(outputs)}; name the network's output in OnnxImportOptions.Output.");
    }

    private HashSet<string> Reachable(string input)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { input };
        foreach (var node in _nodes)
        {
            if (node.Input.Any(reached.Contains))
                reached.UnionWith(node.Output);
        }
        return reached;
    }

    /// <summary>Every node the output needs, back to the input; refuses a node that needs another graph input.</summary>
    private HashSet<NodeProto> NodesBetween(string input, string output)
    {
        var needed = new HashSet<NodeProto>();
        var pending = new Stack<string>([output]);
        while (pending.TryPop(out var tensor))
        {
            if (tensor == input || tensor.Length == 0 || _constants.ContainsKey(tensor))
                continue;
            if (!_producers.TryGetValue(tensor, out var node))
                throw new InvalidDataException($"The ONNX file '{_file}' computes '{output}' from '{tensor}', which is neither the input '{input}' nor a weight; the import reads networks of one image input.");
            if (needed.Add(node))
            {
                foreach (var i in node.Input)
                    pending.Push(i);
            }
        }
        return needed;
    }

    /// <summary>The images: from options, from a [N, C, H, W] input, or from a first Reshape of a flat input to that.</summary>
    private ImageShape ImageShapeOf(string input)
    {
        _layerOf[input] = LayerSpec.NetworkInput;
        var dims = _graph.Input.First(i => i.Name == input).Type?.TensorType?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray() ?? [];
        var reshape = _consumers.GetValueOrDefault(input)?.FirstOrDefault(n => n.OpType == "Reshape" && _needed.Contains(n) && n.Input.Count > 1 && _constants.ContainsKey(n.Input[1]));
        ImageShape? found = null;
        if (dims.Length == 4 && dims.Skip(1).All(d => d > 0))
            found = new ImageShape((int)dims[1], (int)dims[2], (int)dims[3]);
        else if (reshape is not null && Longs(_constants[reshape.Input[1]], _file) is [_, long c, long h, long w] && c > 0 && h > 0 && w > 0)
        {
            found = new ImageShape((int)c, (int)h, (int)w);
            _needed.Remove(reshape);
            _layerOf[reshape.Output[0]] = LayerSpec.NetworkInput;
        }
        return _options.InputShape ?? found
            ?? throw new InvalidDataException($"The ONNX file '{_file}' does not say the image shape of its input '{input}' ([{string.Join(", ", dims)}]); give it in OnnxImportOptions.InputShape.");
    }

    // ---- One node ----

    private void Read(NodeProto node)
    {
        if (OnnxShapeArithmetic.TryFold(node, t => _constants.GetValueOrDefault(t), ShapeWithBatch, _file) is { } folded)
        {
            _constants[node.Output[0]] = folded;
            return;
        }
        var view = new OnnxNodeView(this, node);
        if (node.OpType == "Identity")
            Alias(node.Output[0], node.Input[0]);
        else if (node.OpType == "Softmax")
            Softmax(node);
        else if (Activation.OnnxReaders.TryGetValue(node.OpType, out var activation))
            Activate(node, activation(view));
        else if (LayerTypes.OnnxReaders.TryGetValue(node.OpType, out var reader))
            reader.Read(view);
        else
            throw new NotSupportedException($"The ONNX file '{_file}' uses the operator '{node.OpType}' at node '{NodeName(node)}', which the import does not read. It reads: {string.Join(", ", Operators)}.");
    }

    private void Softmax(NodeProto node)
    {
        string layer = LayerOf(node, node.Input[0]);
        int index = _layers.FindIndex(l => l.Name == layer);
        if (node.Output[0] != _output || index != _layers.Count - 1 || _shapes[layer].Length != 1 || _layers[index].Activation != Activation.None)
            throw Refuse(node, "a softmax that is not the network's output over flat scores; only a classifier's final softmax is read");
        if (Int(node, "axis") is { } axis && axis is not (1 or -1))
            throw Refuse(node, $"axis {axis}; the softmax over the classes (axis 1) is read");
        Fold(layer, Activation.Softmax, node.Output[0]);
    }

    /// <summary>An activation joins the layer before it when nothing else reads that layer; otherwise it is a layer of its own.</summary>
    private void Activate(NodeProto node, Activation activation)
    {
        string layer = LayerOf(node, node.Input[0]);
        var spec = layer == LayerSpec.NetworkInput ? null : _layers.First(l => l.Name == layer);
        if (spec is not null && spec.Activation == Activation.None && Uses(_primaryTensor[layer]) == 1)
        {
            Fold(layer, activation, node.Output[0]);
            return;
        }
        string name = Layer(node, new Identity(), [node.Input[0]]);
        int at = _layers.Count - 1;
        _layers[at] = _layers[at].With(name, _layers[at].Inputs, activation, _layers[at].Pretrained);
    }

    private void Fold(string layer, Activation activation, string output)
    {
        int index = _layers.FindIndex(l => l.Name == layer);
        var spec = _layers[index];
        _layers[index] = spec.With(spec.Name, spec.Inputs, activation, spec.Pretrained);
        _layerOf[output] = layer;
        _primaryTensor[layer] = output;
    }

    /// <summary>
    /// How many readers a tensor has, looking through the nodes that only rename it (and past those that only read its
    /// shape); the network's output counts as one.
    /// </summary>
    private int Uses(string tensor)
    {
        int uses = tensor == _output ? 1 : 0;
        foreach (var consumer in _consumers.GetValueOrDefault(tensor) ?? [])
        {
            if (!_needed.Contains(consumer) || consumer.OpType == "Shape")
                continue;
            uses += consumer.OpType == "Identity" || (consumer.OpType is "Flatten" or "Reshape" && IsFlat(tensor)) ? Uses(consumer.Output[0]) : 1;
        }
        return uses;
    }

    private bool IsFlat(string tensor) => _layerOf.TryGetValue(tensor, out var layer) && _shapes[layer].Length == 1;

    // ---- Layers, names, shapes and weights (OnnxNodeView's side) ----

    /// <summary>Adds <paramref name="spec"/> taking the layers that put out <paramref name="inputs"/>; returns its name.</summary>
    internal string Layer(NodeProto node, LayerSpec spec, IReadOnlyList<string> inputs)
    {
        var from = inputs.Select(i => LayerOf(node, i)).ToList();
        long[] shape;
        try
        {
            shape = LayerProbe.OutputShape(spec, from.Select(l => _shapes[l]).ToList());
        }
        catch (ArgumentException e)
        {
            throw new NotSupportedException($"The ONNX file '{_file}' has a {node.OpType} at node '{NodeName(node)}' that becomes a {spec.TypeName} this library cannot build for {string.Join(" and ", from.Select(l => "[" + string.Join(", ", _shapes[l]) + "]"))}: {e.Message}", e);
        }
        string name = NextName(spec.NamePrefix);
        bool follows = from.Count == 1 && (_layers.Count == 0 ? from[0] == LayerSpec.NetworkInput : from[0] == _layers[^1].Name);
        _layers.Add(spec.With(name, follows ? null : from, Activation.None, _options.Pretrained));
        _layerOf[node.Output[0]] = name;
        _primaryTensor[name] = node.Output[0];
        _shapes[name] = shape;
        return name;
    }

    internal void AddWeight(string layer, string parameter, long[] dims, float[] values) => _weights.Add(new WeightTensor($"{layer}.{parameter}", dims, values));

    internal TensorProto? Constant(string tensor) => _constants.GetValueOrDefault(tensor);

    internal string File => _file;

    /// <summary>The shape (without the batch) of the layer output <paramref name="tensor"/> is.</summary>
    internal long[] ShapeOf(NodeProto node, string tensor) => _shapes[LayerOf(node, tensor)];

    private long[]? ShapeWithBatch(string tensor) => _layerOf.TryGetValue(tensor, out var layer) ? [-1, .. _shapes[layer]] : null;

    private string LayerOf(NodeProto node, string tensor)
        => _layerOf.TryGetValue(tensor, out var layer) ? layer
            : throw new NotSupportedException($"The ONNX file '{_file}' feeds node '{NodeName(node)}' ({node.OpType}) with '{tensor}', which the import cannot follow to a layer.");

    internal void Alias(string tensor, string of)
    {
        if (!_layerOf.TryGetValue(of, out var layer))
            throw new NotSupportedException($"The ONNX file '{_file}' renames '{of}', which the import cannot follow to a layer.");
        _layerOf[tensor] = layer;
    }

    private string NextName(string prefix)
    {
        int seen = _counts.GetValueOrDefault(prefix);
        _counts[prefix] = seen + 1;
        return seen == 0 ? prefix : string.Create(CultureInfo.InvariantCulture, $"{prefix}_{seen}");
    }

    internal NotSupportedException Refuse(NodeProto node, string what)
        => new($"The ONNX file '{_file}' has a {node.OpType} at node '{NodeName(node)}' with {what}.");

    internal static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "(unnamed)";

    private static string Names(IEnumerable<string> names) => "[" + string.Join(", ", names.Select(n => $"'{n}'")) + "]";
}
