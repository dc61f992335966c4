using Onnx;
using static MLNet.ConvNet.Onnx.Internals.OnnxTensors;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>
/// Rewrites of the patterns exporters write for one thing in several nodes, before the import reads the graph node by
/// node: MatMul then the Add of a bias is a Gemm; x * Sigmoid(x) is SiLU and x * HardSigmoid(x) is HardSwish (when
/// nothing else reads the gate); a global average pool that only a Flatten reads needs no 1x1 image (keepdims 0); and
/// a Reshape to [N, groups, C / groups, H, W], the Transpose of its two middle axes and a Reshape back are a channel
/// shuffle (ShuffleNet's). The patterns' inner tensors must have no other readers, or the nodes stay as they are.
/// </summary>
internal static class OnnxRewrites
{
    /// <summary>The operators the rewrites make that are no ONNX operators: read by the layers, never listed as read.</summary>
    public static readonly IReadOnlySet<string> Made = new HashSet<string>(StringComparer.Ordinal) { Silu, ChannelShuffle };

    public const string Silu = "Silu";

    public const string ChannelShuffle = "ChannelShuffle";

    /// <summary>The nodes with the patterns rewritten, in the graph's order.</summary>
    public static List<NodeProto> Apply(IReadOnlyList<NodeProto> nodes, IReadOnlyDictionary<string, TensorProto> constants, IReadOnlySet<string> graphOutputs)
    {
        var result = nodes.ToList();
        var readers = Readers(result);
        IReadOnlyList<NodeProto> ReadersOf(string tensor) => graphOutputs.Contains(tensor) ? [null!, null!] : readers.GetValueOrDefault(tensor) ?? [];
        NodeProto? OnlyReader(string tensor) => ReadersOf(tensor) is [var one] ? one : null;
        var removed = new HashSet<NodeProto>();
        var replaced = new Dictionary<NodeProto, NodeProto>();

        foreach (var node in result)
        {
            switch (node.OpType)
            {
                case "MatMul" when constants.ContainsKey(node.Input[1]) && OnlyReader(node.Output[0]) is { OpType: "Add" } add
                    && add.Input.FirstOrDefault(i => i != node.Output[0]) is { } bias && constants.ContainsKey(bias):
                    replaced[node] = Node("Gemm", node.Name, [node.Input[0], node.Input[1], bias], add.Output[0]);
                    removed.Add(add);
                    break;
                case "Sigmoid" or "HardSigmoid" when OnlyReader(node.Output[0]) is { OpType: "Mul" } mul && mul.Input.Contains(node.Input[0])
                    && mul.Input.Contains(node.Output[0]) && (node.OpType == "Sigmoid" || IsTorchHardSigmoid(node)):
                    replaced[node] = Node(node.OpType == "Sigmoid" ? Silu : "HardSwish", node.Name, [node.Input[0]], mul.Output[0]);
                    removed.Add(mul);
                    break;
                case "GlobalAveragePool" when ReadersOf(node.Output[0]) is { Count: > 0 } pooled && pooled.All(r => r is { OpType: "Flatten" } && Int(r, "axis") is null or 1):
                    var flat = node.Clone();
                    flat.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
                    replaced[node] = flat;
                    break;
                case "Reshape" when OnlyReader(node.Output[0]) is { OpType: "Transpose" } transpose && Ints(transpose, "perm") is [0, 2, 1, 3, 4]
                    && OnlyReader(transpose.Output[0]) is { OpType: "Reshape" } back:
                    replaced[node] = Node(ChannelShuffle, node.Name, [node.Input[0], node.Input[1]], back.Output[0]);
                    removed.Add(transpose);
                    removed.Add(back);
                    break;
            }
        }
        return result.Where(n => !removed.Contains(n)).Select(n => replaced.GetValueOrDefault(n, n)).ToList();
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

    private static bool IsTorchHardSigmoid(NodeProto node)
        => Math.Abs((Float(node, "alpha") ?? 0.2f) - 1f / 6) < 1e-6f && Math.Abs((Float(node, "beta") ?? 0.5f) - 0.5f) < 1e-6f;

    private static NodeProto Node(string opType, string name, IEnumerable<string> inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}
