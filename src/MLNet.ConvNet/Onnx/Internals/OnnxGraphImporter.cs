using System.Globalization;
using MLNet.ConvNet.Layers;
using Onnx;
using static MLNet.ConvNet.Onnx.Internals.OnnxTensors;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>
/// Turns the part of an ONNX graph between one image input and one output into layers of this library, in the file's
/// (topological) order, with their weights. Activations fold into the layer before them when nothing else reads that
/// layer's output; a layer whose output several layers read becomes a graph join, named in their Inputs.
/// </summary>
internal sealed class OnnxGraphImporter
{
    public static readonly IReadOnlyList<string> Operators =
    [
        "Conv", "BatchNormalization", "Relu", "Sigmoid", "Tanh", "Elu", "LeakyRelu", "Softmax", "Add", "MaxPool", "AveragePool",
        "GlobalAveragePool", "Flatten", "Reshape", "Gemm", "MatMul", "Dropout", "Identity", "Pad", "Constant",
    ];

    private readonly GraphProto _graph;
    private readonly string _file;
    private readonly OnnxImportOptions _options;
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);

    // What the import has made: the layers in order, their weights, and which layer each ONNX tensor is the output of.
    private readonly List<LayerSpec> _layers = new();
    private readonly List<WeightTensor> _weights = new();
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
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && Attribute(node, "value") is { T: { } value })
            {
                _constants[node.Output[0]] = value;
                continue;
            }
            // PyTorch's exporter hands a weight it shares (or dedupes) through an Identity: the renamed tensor is that weight.
            if (node.OpType == "Identity" && node.Input.Count == 1 && _constants.TryGetValue(node.Input[0], out var renamed))
            {
                _constants[node.Output[0]] = renamed;
                continue;
            }
            foreach (var output in node.Output)
                _producers[output] = node;
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out var list))
                    _consumers[input] = list = new List<NodeProto>();
                list.Add(node);
            }
        }
    }

    public GraphArchitecture Import(string name)
    {
        string input = FindInput();
        _output = FindOutput(input);
        _needed = NodesBetween(input, _output);
        var shape = ImageShapeOf(input);
        foreach (var node in _graph.Node.Where(_needed.Contains))
            Read(node);
        if (!_layerOf.TryGetValue(_output, out var last) || last != _layers[^1].Name)
            throw new InvalidDataException($"The ONNX file '{_file}' ends its network at '{_output}', which the import could not follow to its last layer.");
        // A classifier that ends in logits (PyTorch's do: the softmax is in their loss) is a classifier all the same;
        // a final softmax is what this library's classifiers end with, and it computes the same probabilities.
        if (_layers[^1] is Dense logits && logits.Activation == Activation.None)
            _layers[^1] = logits.With(logits.Name, logits.Inputs, Activation.Softmax, logits.Pretrained);
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
        var softmax = _graph.Node.FirstOrDefault(n => n.OpType == "Softmax" && reached.Contains(n.Input[0]));
        if (softmax is not null)
            return softmax.Output[0];
        var outputs = _graph.Output.Where(o => reached.Contains(o.Name) && o.Type?.TensorType?.ElemType == (int)TensorProto.Types.DataType.Float).Select(o => o.Name).ToList();
        return outputs.Count == 1 ? outputs[0]
            : throw new InvalidDataException($"The ONNX file '{_file}' has no Softmax after its input and the float outputs {Names(outputs)}; name the network's output in OnnxImportOptions.Output.");
    }

    private HashSet<string> Reachable(string input)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { input };
        foreach (var node in _graph.Node)
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
        switch (node.OpType)
        {
            case "Conv": Conv(node); break;
            case "BatchNormalization": BatchNorm(node); break;
            case "Relu": Activate(node, Activation.Relu); break;
            case "Sigmoid": Activate(node, Activation.Sigmoid); break;
            case "Tanh": Activate(node, Activation.Tanh); break;
            case "Elu": Activate(node, Float(node, "alpha") is null or 1f ? Activation.Elu : Refuse<Activation>(node, $"alpha {Float(node, "alpha")}; Elu is read with alpha 1")); break;
            case "LeakyRelu": Activate(node, Float(node, "alpha") is { } a && Math.Abs(a - 0.3f) < 1e-6f ? Activation.LeakyRelu : Refuse<Activation>(node, $"alpha {Float(node, "alpha") ?? 0.01f}; this library's LeakyRelu has Keras' 0.3")); break;
            case "Softmax": Softmax(node); break;
            case "Add": AddNode(node); break;
            case "MaxPool": Pool(node, max: true); break;
            case "AveragePool": Pool(node, max: false); break;
            case "GlobalAveragePool": Layer(node, new GlobalAveragePooling2D(), [node.Input[0]]); break;
            case "Flatten": Flatten(node); break;
            case "Reshape": Reshape(node); break;
            case "Gemm": Gemm(node); break;
            case "MatMul": MatMul(node); break;
            case "Dropout": Dropout(node); break;
            case "Identity": Alias(node.Output[0], node.Input[0]); break;
            case "Pad": Pad(node); break;
            default:
                throw new NotSupportedException($"The ONNX file '{_file}' uses the operator '{node.OpType}' at node '{NodeName(node)}', which the import does not read. It reads: {string.Join(", ", Operators)}.");
        }
    }

    private void Conv(NodeProto node)
    {
        var weight = Constant(node, 1, "weights");
        var shape = Dims(weight);
        var kernel = Ints(node, "kernel_shape") ?? shape[2..];
        var strides = Ints(node, "strides") ?? [1, 1];
        if (kernel.Length != 2 || kernel[0] != kernel[1])
            Refuse(node, $"a kernel of [{string.Join(", ", kernel)}]; only square 2-D kernels are read");
        if (strides.Length != 2 || strides[0] != strides[1])
            Refuse(node, $"strides of [{string.Join(", ", strides)}]; only equal strides are read");
        if (Ints(node, "dilations") is { } dilations && dilations.Any(d => d != 1))
            Refuse(node, $"dilations of [{string.Join(", ", dilations)}]; only undilated convolutions are read");
        if (Int(node, "group") is { } group && group != 1)
            Refuse(node, $"{group} groups; only ordinary convolutions (group 1) are read");
        var (padding, explicitPadding) = Padding(node);
        bool bias = node.Input.Count > 2 && node.Input[2].Length > 0;
        var spec = new Conv2D((int)shape[0], (int)kernel[0], (int)strides[0], padding) { ExplicitPadding = explicitPadding, UseBias = bias };
        string name = Layer(node, spec, [node.Input[0]]);
        _weights.Add(Weight(name, "weight", weight));
        if (bias)
            _weights.Add(Weight(name, "bias", Constant(node, 2, "bias")));
    }

    /// <summary>ONNX's pads (top, left, bottom, right) or auto_pad as this library's padding.</summary>
    private (ConvPadding Padding, Padding2D? Explicit) Padding(NodeProto node)
    {
        string autoPad = Text(node, "auto_pad") ?? "NOTSET";
        switch (autoPad)
        {
            case "SAME_UPPER":
                return (ConvPadding.Same, null);
            case "VALID":
                return (ConvPadding.Valid, null);
            case "NOTSET" or "":
                var pads = Ints(node, "pads") ?? [0, 0, 0, 0];
                if (pads.Length != 4)
                    Refuse(node, $"pads of [{string.Join(", ", pads)}]; 2-D pads (top, left, bottom, right) are read");
                var explicitPadding = new Padding2D((int)pads[0], (int)pads[2], (int)pads[1], (int)pads[3]);
                return (ConvPadding.Valid, explicitPadding.IsZero ? null : explicitPadding);
            default:
                return Refuse<(ConvPadding, Padding2D?)>(node, $"auto_pad {autoPad}; NOTSET, VALID and SAME_UPPER are read");
        }
    }

    private void BatchNorm(NodeProto node)
    {
        if (Int(node, "spatial") is 0)
            Refuse(node, "spatial 0 (one statistic per value); per-channel statistics are read");
        if (Int(node, "training_mode") is 1)
            Refuse(node, "training_mode 1; a network saved for inference is read");
        float epsilon = Float(node, "epsilon") ?? 1e-5f;
        float momentum = Float(node, "momentum") ?? 0.9f;
        var spec = new BatchNormalization(Math.Clamp(momentum, 1e-6, 1 - 1e-6), epsilon);
        string name = Layer(node, spec, [node.Input[0]]);
        _weights.Add(Weight(name, "weight", Constant(node, 1, "scale")));
        _weights.Add(Weight(name, "bias", Constant(node, 2, "bias")));
        _weights.Add(Weight(name, "running_mean", Constant(node, 3, "mean")));
        _weights.Add(Weight(name, "running_var", Constant(node, 4, "variance")));
    }

    private void Pool(NodeProto node, bool max)
    {
        var kernel = Ints(node, "kernel_shape") ?? [];
        var strides = Ints(node, "strides") ?? [1, 1];
        if (kernel.Length != 2 || kernel[0] != kernel[1])
            Refuse(node, $"a window of [{string.Join(", ", kernel)}]; only square 2-D windows are read");
        if (strides.Length != 2 || strides[0] != strides[1])
            Refuse(node, $"strides of [{string.Join(", ", strides)}]; only equal strides are read");
        if (Int(node, "ceil_mode") is 1)
            Refuse(node, "ceil_mode 1; windows that round down (ceil_mode 0) are read");
        if (Ints(node, "dilations") is { } dilations && dilations.Any(d => d != 1))
            Refuse(node, $"dilations of [{string.Join(", ", dilations)}]; only undilated pooling is read");
        var (padding, explicitPadding) = Padding(node);
        if (padding == ConvPadding.Same)
            Refuse(node, "auto_pad SAME_UPPER; pooling with explicit pads is read");
        if (!max && explicitPadding is not null && Int(node, "count_include_pad") is 1)
            Refuse(node, "count_include_pad 1 with pads; averages over the image pixels alone (count_include_pad 0) are read");
        LayerSpec spec = max
            ? new MaxPooling2D((int)kernel[0]) { Strides = (int)strides[0], ExplicitPadding = explicitPadding }
            : new AveragePooling2D((int)kernel[0], (int)strides[0]) { ExplicitPadding = explicitPadding };
        Layer(node, spec, [node.Input[0]]);
    }

    private void AddNode(NodeProto node)
    {
        if (node.Input.Any(_constants.ContainsKey))
            Refuse(node, "a constant operand; Add is read as the join of two layers' outputs, or as a MatMul's bias");
        Layer(node, new Add(), [.. node.Input]);
    }

    /// <summary>Flatten after a global average pool (already flat here) passes on; otherwise it is a layer.</summary>
    private void Flatten(NodeProto node)
    {
        if (Int(node, "axis") is { } axis && axis != 1)
            Refuse(node, $"axis {axis}; flattening everything after the batch (axis 1) is read");
        if (IsFlat(node.Input[0]))
            Alias(node.Output[0], node.Input[0]);
        else
            Layer(node, new Flatten(), [node.Input[0]]);
    }

    /// <summary>A Reshape to [N, everything] is a Flatten; others are refused.</summary>
    private void Reshape(NodeProto node)
    {
        var target = node.Input.Count > 1 && _constants.TryGetValue(node.Input[1], out var t) ? Longs(t, _file) : null;
        if (target is not { Length: 2 } || !(target[1] == -1 || target[0] is -1 or 0 or 1))
            Refuse(node, $"a reshape to [{string.Join(", ", target ?? [])}]; only reshapes to the images (first) or to [N, -1] (a flatten) are read");
        if (IsFlat(node.Input[0]))
            Alias(node.Output[0], node.Input[0]);
        else
            Layer(node, new Flatten(), [node.Input[0]]);
    }

    private void Gemm(NodeProto node)
    {
        if (Int(node, "transA") is 1)
            Refuse(node, "transA 1; Gemm of the layer's output times the weights is read");
        if (Float(node, "alpha") is { } alpha && alpha != 1f || Float(node, "beta") is { } beta && beta != 1f)
            Refuse(node, "alpha or beta other than 1");
        var weight = Constant(node, 1, "weights");
        bool transposed = Int(node, "transB") is 1;
        var (units, values) = DenseWeights(weight, transposed);
        string name = Layer(node, new Dense(units), [node.Input[0]]);
        _weights.Add(new WeightTensor($"{name}.weight", [units, values.Length / units], values));
        _weights.Add(node.Input.Count > 2 && node.Input[2].Length > 0
            ? Weight(name, "bias", Constant(node, 2, "bias"))
            : new WeightTensor($"{name}.bias", [units], new float[units]));
    }

    /// <summary>MatMul by a weight matrix, with the Add of a bias right after it when there is one, is a Dense layer.</summary>
    private void MatMul(NodeProto node)
    {
        var weight = Constant(node, 1, "weights");
        var (units, values) = DenseWeights(weight, transposed: false);
        var consumers = _consumers.GetValueOrDefault(node.Output[0]) ?? [];
        var biasAdd = consumers.Count == 1 && consumers[0].OpType == "Add" && _needed.Contains(consumers[0])
            ? consumers[0].Input.FirstOrDefault(_constants.ContainsKey) : null;
        string name = Layer(node, new Dense(units), [node.Input[0]]);
        _weights.Add(new WeightTensor($"{name}.weight", [units, values.Length / units], values));
        if (biasAdd is not null)
        {
            _weights.Add(new WeightTensor($"{name}.bias", [units], Floats(_constants[biasAdd], _file)));
            _needed.Remove(consumers[0]);
            Alias(consumers[0].Output[0], node.Output[0]);
        }
        else
        {
            _weights.Add(new WeightTensor($"{name}.bias", [units], new float[units]));
        }
    }

    /// <summary>The weights as torch's Linear keeps them: [units, inputs].</summary>
    private (int Units, float[] Values) DenseWeights(TensorProto weight, bool transposed)
    {
        var dims = Dims(weight);
        var values = Floats(weight, _file);
        if (dims.Length != 2)
            throw new NotSupportedException($"The ONNX file '{_file}' has the dense weights '{weight.Name}' of shape [{string.Join(", ", dims)}]; a matrix was expected.");
        if (transposed)
            return ((int)dims[0], values);
        int rows = (int)dims[0], columns = (int)dims[1];
        var result = new float[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return (columns, result);
    }

    /// <summary>Zeros around the image, the same on every side: ZeroPadding2D.</summary>
    private void Pad(NodeProto node)
    {
        string mode = Text(node, "mode") ?? "constant";
        var pads = Ints(node, "pads") ?? (node.Input.Count > 1 && _constants.TryGetValue(node.Input[1], out var p) ? Longs(p, _file) : null);
        float value = Float(node, "value") ?? (node.Input.Count > 2 && node.Input[2].Length > 0 && _constants.TryGetValue(node.Input[2], out var v) ? Floats(v, _file)[0] : 0f);
        if (mode != "constant" || value != 0)
            Refuse(node, $"mode {mode} and value {value}; padding with zeros is read");
        if (pads is not [0, 0, long top, long left, 0, 0, long bottom, long right] || top != left || top != bottom || top != right)
        {
            Refuse(node, $"pads [{string.Join(", ", pads ?? [])}]; the same zeros on every side of the image are read");
            return;
        }
        Layer(node, new ZeroPadding2D((int)top), [node.Input[0]]);
    }

    private void Dropout(NodeProto node)
    {
        float rate = Float(node, "ratio") ?? (node.Input.Count > 1 && node.Input[1].Length > 0 && _constants.TryGetValue(node.Input[1], out var r) ? Floats(r, _file)[0] : 0.5f);
        Layer(node, new Layers.Dropout(Math.Clamp(rate, 0, 0.999)), [node.Input[0]]);
    }

    private void Softmax(NodeProto node)
    {
        string layer = LayerOf(node, node.Input[0]);
        int index = _layers.FindIndex(l => l.Name == layer);
        if (node.Output[0] != _output || index != _layers.Count - 1 || _layers[index] is not Dense || _layers[index].Activation != Activation.None)
            Refuse(node, "a softmax that is not the network's output after a dense layer; only a classifier's final softmax is read");
        if (Int(node, "axis") is { } axis && axis is not (1 or -1))
            Refuse(node, $"axis {axis}; the softmax over the classes (axis 1) is read");
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

    /// <summary>How many readers a tensor has, looking through the nodes that only rename it; the network's output counts as one.</summary>
    private int Uses(string tensor)
    {
        int uses = tensor == _output ? 1 : 0;
        foreach (var consumer in _consumers.GetValueOrDefault(tensor) ?? [])
        {
            if (!_needed.Contains(consumer))
                continue;
            uses += consumer.OpType == "Identity" || (consumer.OpType is "Flatten" or "Reshape" && IsFlat(tensor)) ? Uses(consumer.Output[0]) : 1;
        }
        return uses;
    }

    // ---- Layers, names and weights ----

    /// <summary>Adds <paramref name="spec"/> taking the layers that put out <paramref name="inputs"/>; returns its name.</summary>
    private string Layer(NodeProto node, LayerSpec spec, IReadOnlyList<string> inputs)
    {
        var from = inputs.Select(i => LayerOf(node, i)).ToList();
        string name = NextName(spec.NamePrefix);
        bool follows = from.Count == 1 && (_layers.Count == 0 ? from[0] == LayerSpec.NetworkInput : from[0] == _layers[^1].Name);
        _layers.Add(spec.With(name, follows ? null : from, Activation.None, _options.Pretrained));
        _layerOf[node.Output[0]] = name;
        _primaryTensor[name] = node.Output[0];
        return name;
    }

    private string LayerOf(NodeProto node, string tensor)
        => _layerOf.TryGetValue(tensor, out var layer) ? layer
            : throw new NotSupportedException($"The ONNX file '{_file}' feeds node '{NodeName(node)}' ({node.OpType}) with '{tensor}', which the import cannot follow to a layer.");

    private void Alias(string tensor, string of)
    {
        if (!_layerOf.TryGetValue(of, out var layer))
            throw new NotSupportedException($"The ONNX file '{_file}' renames '{of}', which the import cannot follow to a layer.");
        _layerOf[tensor] = layer;
    }

    /// <summary>Whether the layer that puts out <paramref name="tensor"/> already gives a flat vector (a global average pool here flattens).</summary>
    private bool IsFlat(string tensor)
        => _layerOf.TryGetValue(tensor, out var layer) && _layers.FirstOrDefault(l => l.Name == layer) is GlobalAveragePooling2D or Dense or Layers.Flatten;

    private string NextName(string prefix)
    {
        int seen = _counts.GetValueOrDefault(prefix);
        _counts[prefix] = seen + 1;
        return seen == 0 ? prefix : string.Create(CultureInfo.InvariantCulture, $"{prefix}_{seen}");
    }

    private TensorProto Constant(NodeProto node, int input, string what)
    {
        if (node.Input.Count <= input || !_constants.TryGetValue(node.Input[input], out var tensor))
            throw new NotSupportedException($"The ONNX file '{_file}' gives node '{NodeName(node)}' ({node.OpType}) {what} that are not constant; the import reads weights stored in the file.");
        return tensor;
    }

    private WeightTensor Weight(string layer, string parameter, TensorProto tensor) => new($"{layer}.{parameter}", Dims(tensor), Floats(tensor, _file));

    private void Refuse(NodeProto node, string what) => Refuse<int>(node, what);

    private T Refuse<T>(NodeProto node, string what)
        => throw new NotSupportedException($"The ONNX file '{_file}' has a {node.OpType} at node '{NodeName(node)}' with {what}.");

    private static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "(unnamed)";

    private static string Names(IEnumerable<string> names) => "[" + string.Join(", ", names.Select(n => $"'{n}'")) + "]";
}
