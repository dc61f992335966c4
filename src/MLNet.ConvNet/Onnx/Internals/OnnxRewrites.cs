using MLNet.ConvNet.Layers;
using Onnx;
using static MLNet.ConvNet.Onnx.Internals.OnnxTensors;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>
/// Rewrites of the patterns exporters write for one thing in several nodes, before the import reads the graph node by
/// node, in passes: first what PyTorch writes out (GELU as Div, Erf, Add and two Muls; LayerNorm as ReduceMean, Sub,
/// Pow, ReduceMean, Add, Sqrt, Div, Mul and Add; a Linear as MatMul and the Add of a bias, which becomes a Gemm); then
/// what channels-last stretches between two Transposes compute per pixel (<see cref="OnnxChannelsLast"/>); then
/// x * Sigmoid(x) as SiLU and x * HardSigmoid(x) as HardSwish, a global average pool that only a Flatten reads (no 1x1
/// image: keepdims 0), and a Reshape to [N, groups, C / groups, H, W], the Transpose of its two middle axes and a
/// Reshape back as a channel shuffle (ShuffleNet's). A pattern's inner tensors must have no other readers, or its
/// nodes stay as they are (and are refused, naming the operator, if the import cannot read them one by one).
/// </summary>
internal static class OnnxRewrites
{
    /// <summary>The operators the rewrites make that are no ONNX operators: read by the layers, never listed as read.</summary>
    public static readonly IReadOnlySet<string> Made = new HashSet<string>(StringComparer.Ordinal) { Silu, ChannelShuffle, OnnxChannelsLast.ChannelLayerNorm };

    public const string Silu = "Silu";

    public const string ChannelShuffle = "ChannelShuffle";

    /// <summary>The nodes with the patterns rewritten, in the graph's order; new weights go into <paramref name="constants"/>.</summary>
    public static List<NodeProto> Apply(IReadOnlyList<NodeProto> nodes, Dictionary<string, TensorProto> constants, IReadOnlySet<string> graphOutputs)
    {
        var graph = new Graph(nodes.ToList(), constants, graphOutputs);
        graph.Rewrite(WrittenOut);
        graph.Rewrite(OnnxChannelsLast.Rewrite);
        graph.Rewrite(OnnxChannelsLast.FoldChannelScale);
        graph.Rewrite(Gates);
        return graph.Nodes;
    }

    /// <summary>The nodes as they stand between passes, who reads what, and the constants.</summary>
    internal sealed class Graph(List<NodeProto> nodes, Dictionary<string, TensorProto> constants, IReadOnlySet<string> outputs)
    {
        private Dictionary<string, List<NodeProto>> _readers = Readers(nodes);
        private Dictionary<string, NodeProto> _producers = Producers(nodes);
        private readonly HashSet<NodeProto> _removed = new();
        private readonly Dictionary<NodeProto, NodeProto> _replaced = new();

        public List<NodeProto> Nodes { get; private set; } = nodes;

        public Dictionary<string, TensorProto> Constants => constants;

        /// <summary>Runs <paramref name="pass"/> over every node, then applies what it replaced and removed.</summary>
        public void Rewrite(Action<Graph, NodeProto> pass)
        {
            foreach (var node in Nodes)
            {
                if (!_removed.Contains(node) && !_replaced.ContainsKey(node))
                    pass(this, node);
            }
            Nodes = Nodes.Where(n => !_removed.Contains(n)).Select(n => _replaced.GetValueOrDefault(n, n)).ToList();
            _removed.Clear();
            _replaced.Clear();
            _readers = Readers(Nodes);
            _producers = Producers(Nodes);
        }

        /// <summary>The node that puts out <paramref name="tensor"/>, or null for a constant or the input.</summary>
        public NodeProto? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

        private static Dictionary<string, NodeProto> Producers(IEnumerable<NodeProto> nodes)
            => nodes.SelectMany(n => n.Output.Select(o => (o, n))).GroupBy(p => p.o, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().n, StringComparer.Ordinal);

        /// <summary>The one node that reads <paramref name="tensor"/>, or null (none, several, or a graph output).</summary>
        public NodeProto? OnlyReader(string tensor)
            => !outputs.Contains(tensor) && _readers.GetValueOrDefault(tensor) is [var one] && !_removed.Contains(one) && !_replaced.ContainsKey(one) ? one : null;

        public IReadOnlyList<NodeProto> ReadersOf(string tensor) => outputs.Contains(tensor) ? [] : _readers.GetValueOrDefault(tensor) ?? [];

        public bool IsConstant(string tensor) => constants.ContainsKey(tensor);

        /// <summary>Whether <paramref name="tensor"/> is a constant of one value near <paramref name="value"/>.</summary>
        public bool IsScalar(string tensor, float value)
            => constants.TryGetValue(tensor, out var t) && t.DataType == (int)TensorProto.Types.DataType.Float && Floats(t, "") is [var v] && Math.Abs(v - value) <= 1e-6f * Math.Max(1, Math.Abs(value));

        /// <summary>The other input of a two-input node than <paramref name="tensor"/>, or null.</summary>
        public static string? Other(NodeProto node, string tensor)
            => node.Input.Count == 2 && node.Input.Contains(tensor) ? (node.Input[0] == tensor ? node.Input[1] : node.Input[0]) : null;

        /// <summary>Puts <paramref name="by"/> in the place of <paramref name="first"/> and drops <paramref name="rest"/>.</summary>
        public void Replace(NodeProto first, NodeProto by, params NodeProto[] rest)
        {
            _replaced[first] = by;
            _removed.UnionWith(rest);
        }

        public void Remove(NodeProto node) => _removed.Add(node);

        public string AddConstant(string name, long[] dims, float[] values)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(dims);
            tensor.FloatData.AddRange(values);
            constants[name] = tensor;
            return name;
        }
    }

    /// <summary>GELU, LayerNorm over the last axis, and MatMul + bias, as PyTorch 1.13 writes them at opsets below 17.</summary>
    private static void WrittenOut(Graph graph, NodeProto node)
    {
        switch (node.OpType)
        {
            case "MatMul" when graph.IsConstant(node.Input[1]) && graph.OnlyReader(node.Output[0]) is { OpType: "Add" } add
                && Graph.Other(add, node.Output[0]) is { } bias && graph.IsConstant(bias):
                graph.Replace(node, Node("Gemm", node.Name, [node.Input[0], node.Input[1], bias], add.Output[0]), add);
                break;
            // x / sqrt(2) -> erf -> + 1 -> x * that -> * 0.5
            case "Div" when graph.IsScalar(node.Input[1], MathF.Sqrt(2)) && graph.OnlyReader(node.Output[0]) is { OpType: "Erf" } erf
                && graph.OnlyReader(erf.Output[0]) is { OpType: "Add" } plusOne && Graph.Other(plusOne, erf.Output[0]) is { } one && graph.IsScalar(one, 1)
                && graph.OnlyReader(plusOne.Output[0]) is { OpType: "Mul" } product && Graph.Other(product, plusOne.Output[0]) == node.Input[0]
                && graph.OnlyReader(product.Output[0]) is { OpType: "Mul" } half && Graph.Other(half, product.Output[0]) is { } h && graph.IsScalar(h, 0.5f):
                graph.Replace(node, Node("Gelu", node.Name, [node.Input[0]], half.Output[0]), erf, plusOne, product, half);
                break;
            case "ReduceMean" when IsLastAxis(node):
                LayerNorm(graph, node);
                break;
        }
    }

    /// <summary>mean = ReduceMean(x); d = x - mean; (d / sqrt(ReduceMean(d^2) + eps)) * weight + bias, over the last axis.</summary>
    private static void LayerNorm(Graph graph, NodeProto mean)
    {
        string x = mean.Input[0];
        if (graph.OnlyReader(mean.Output[0]) is not { OpType: "Sub" } sub || sub.Input[0] != x || sub.Input[1] != mean.Output[0])
            return;
        var subReaders = graph.ReadersOf(sub.Output[0]);
        if (subReaders.Count != 2 || subReaders.FirstOrDefault(r => r.OpType == "Pow") is not { } pow || subReaders.FirstOrDefault(r => r.OpType == "Div") is not { } div
            || pow.Input[0] != sub.Output[0] || !graph.IsScalar(pow.Input[1], 2) || div.Input[0] != sub.Output[0])
            return;
        if (graph.OnlyReader(pow.Output[0]) is not { OpType: "ReduceMean" } variance || !IsLastAxis(variance)
            || graph.OnlyReader(variance.Output[0]) is not { OpType: "Add" } plusEpsilon || Graph.Other(plusEpsilon, variance.Output[0]) is not { } epsilon
            || !graph.Constants.TryGetValue(epsilon, out var e) || Floats(e, "") is not [var eps]
            || graph.OnlyReader(plusEpsilon.Output[0]) is not { OpType: "Sqrt" } sqrt || div.Input[1] != sqrt.Output[0])
            return;
        if (graph.OnlyReader(div.Output[0]) is not { OpType: "Mul" } scale || Graph.Other(scale, div.Output[0]) is not { } weight || !graph.IsConstant(weight)
            || graph.OnlyReader(scale.Output[0]) is not { OpType: "Add" } shift || Graph.Other(shift, scale.Output[0]) is not { } bias || !graph.IsConstant(bias))
            return;
        var norm = Node("LayerNormalization", mean.Name, [x, weight, bias], shift.Output[0]);
        norm.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
        norm.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = eps });
        graph.Replace(mean, norm, sub, pow, variance, plusEpsilon, sqrt, div, scale, shift);
    }

    private static bool IsLastAxis(NodeProto node) => Ints(node, "axes") is [-1] && Int(node, "keepdims") is null or 1;

    /// <summary>SiLU and HardSwish, the global pool before a Flatten, and the channel shuffle.</summary>
    private static void Gates(Graph graph, NodeProto node)
    {
        switch (node.OpType)
        {
            case "Sigmoid" or "HardSigmoid" when graph.OnlyReader(node.Output[0]) is { OpType: "Mul" } mul && Graph.Other(mul, node.Output[0]) == node.Input[0]
                && (node.OpType == "Sigmoid" || Activation.IsTorchHardSigmoid(Float(node, "alpha"), Float(node, "beta"))):
                graph.Replace(node, Node(node.OpType == "Sigmoid" ? Silu : "HardSwish", node.Name, [node.Input[0]], mul.Output[0]), mul);
                break;
            case "GlobalAveragePool" when graph.ReadersOf(node.Output[0]) is { Count: > 0 } pooled && pooled.All(r => r is { OpType: "Flatten" } && Int(r, "axis") is null or 1):
                var flat = node.Clone();
                flat.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
                graph.Replace(node, flat);
                break;
            case "Reshape" when graph.OnlyReader(node.Output[0]) is { OpType: "Transpose" } transpose && Ints(transpose, "perm") is [0, 2, 1, 3, 4]
                && graph.OnlyReader(transpose.Output[0]) is { OpType: "Reshape" } back:
                graph.Replace(node, Node(ChannelShuffle, node.Name, [node.Input[0], node.Input[1]], back.Output[0]), transpose, back);
                break;
        }
    }

    /// <summary>Every node's readers, by the tensor they read.</summary>
    public static Dictionary<string, List<NodeProto>> Readers(IEnumerable<NodeProto> nodes)
    {
        var readers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0).Distinct())
            {
                if (!readers.TryGetValue(input, out var list))
                    readers[input] = list = new List<NodeProto>();
                list.Add(node);
            }
        }
        return readers;
    }

    internal static NodeProto Node(string opType, string name, IEnumerable<string> inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}
