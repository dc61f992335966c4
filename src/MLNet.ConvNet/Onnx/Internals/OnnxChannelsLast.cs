using MLNet.ConvNet.Layers;
using Onnx;
using static MLNet.ConvNet.Onnx.Internals.OnnxTensors;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>
/// What an exporter writes channels-last, read channel-major: between a Transpose to [N, H, W, C] and the Transpose
/// back, ConvNeXt (and any network that permutes to use LayerNorm and Linear per pixel) computes pixel by pixel on the
/// channels. Such a stretch of LayerNormalization over the last axis, Gemm or MatMul by a weight matrix, and
/// activations becomes the same computation on [N, C, H, W]: a LayerNorm of each pixel's channels
/// (<see cref="ChannelLayerNorm"/>), a 1x1 convolution, the activation; the two Transposes go. Afterwards a constant
/// per-channel scale of a convolution's output (ConvNeXt's layer scale, <c>gamma * x</c>) folds into the convolution.
/// </summary>
internal static class OnnxChannelsLast
{
    /// <summary>The operator the rewrite makes of a LayerNormalization over the channels of channel-major images.</summary>
    public const string ChannelLayerNorm = "ChannelLayerNorm";

    private static readonly HashSet<string> _activations = new(StringComparer.Ordinal) { "Relu", "Gelu", "Sigmoid", "Tanh", "HardSwish", "Silu", "Clip" };

    public static void Rewrite(OnnxRewrites.Graph graph, NodeProto node)
    {
        if (node.OpType != "Transpose" || Ints(node, "perm") is not [0, 2, 3, 1])
            return;
        var stretch = new List<NodeProto>();
        string tensor = node.Output[0];
        NodeProto? back = null;
        while (graph.OnlyReader(tensor) is { } reader)
        {
            if (reader.OpType == "Transpose" && Ints(reader, "perm") is [0, 3, 1, 2])
            {
                back = reader;
                break;
            }
            if (reader.Input[0] != tensor || !PerPixel(graph, reader))
                return;
            stretch.Add(reader);
            tensor = reader.Output[0];
        }
        if (back is null || stretch.Count == 0)
            return;
        string input = node.Input[0];
        for (int i = 0; i < stretch.Count; i++)
        {
            string output = i == stretch.Count - 1 ? back.Output[0] : stretch[i].Output[0];
            var converted = ChannelMajor(graph, stretch[i], input, output);
            if (i == 0)
                graph.Replace(node, converted, stretch[0]);
            else
                graph.Replace(stretch[i], converted);
            input = output;
        }
        graph.Remove(back);
    }

    private static bool PerPixel(OnnxRewrites.Graph graph, NodeProto node) => node.OpType switch
    {
        "LayerNormalization" => Int(node, "axis") is -1 && node.Input.Count >= 2 && node.Input.Skip(1).Where(i => i.Length > 0).All(graph.IsConstant),
        "Gemm" => graph.IsConstant(node.Input[1]) && Int(node, "transA") is null or 0 && Int(node, "transB") is null or 0
            && (Float(node, "alpha") ?? 1) == 1 && (Float(node, "beta") ?? 1) == 1 && (node.Input.Count < 3 || graph.IsConstant(node.Input[2])),
        "MatMul" => graph.IsConstant(node.Input[1]),
        _ => _activations.Contains(node.OpType),
    };

    /// <summary>The node's computation on channel-major images, reading <paramref name="input"/> and putting out <paramref name="output"/>.</summary>
    private static NodeProto ChannelMajor(OnnxRewrites.Graph graph, NodeProto node, string input, string output)
    {
        NodeProto converted;
        switch (node.OpType)
        {
            case "LayerNormalization":
                converted = OnnxRewrites.Node(ChannelLayerNorm, node.Name, [input, .. node.Input.Skip(1)], output);
                converted.Attribute.AddRange(node.Attribute.Where(a => a.Name == "epsilon"));
                return converted;
            case "Gemm" or "MatMul":
                // [inputs, units] per pixel is a 1x1 convolution of units filters over the inputs: weight [units, inputs, 1, 1].
                var matrix = graph.Constants[node.Input[1]];
                var dims = Dims(matrix);
                long rows = dims[0], columns = dims[1];
                string weight = graph.AddConstant(node.Input[1] + ".as_1x1", [columns, rows, 1, 1], Dense.LinearWeight(Floats(matrix, ""), rows, columns));
                converted = OnnxRewrites.Node("Conv", node.Name, node.OpType == "Gemm" && node.Input.Count > 2 ? [input, weight, node.Input[2]] : [input, weight], output);
                var shape = new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints };
                shape.Ints.AddRange([1, 1]);
                converted.Attribute.Add(shape);
                return converted;
            default:
                converted = node.Clone();
                converted.Input[0] = input;
                converted.Output[0] = output;
                return converted;
        }
    }

    /// <summary>Mul of a convolution's output (read by nothing else) by a constant per channel: the convolution with scaled weights.</summary>
    public static void FoldChannelScale(OnnxRewrites.Graph graph, NodeProto node)
    {
        if (node.OpType != "Mul" || node.Input.Count != 2)
            return;
        int constant = graph.IsConstant(node.Input[0]) ? 0 : graph.IsConstant(node.Input[1]) ? 1 : -1;
        if (constant < 0 || graph.Producer(node.Input[1 - constant]) is not { OpType: "Conv" } conv || graph.OnlyReader(conv.Output[0]) != node
            || !graph.IsConstant(conv.Input[1]) || conv.Input.Count > 2 && conv.Input[2].Length > 0 && !graph.IsConstant(conv.Input[2]))
            return;
        var scaleTensor = graph.Constants[node.Input[constant]];
        var weightTensor = graph.Constants[conv.Input[1]];
        long filters = weightTensor.Dims[0];
        var scaleDims = Dims(scaleTensor);
        if (scaleTensor.DataType != (int)TensorProto.Types.DataType.Float || !(scaleDims.SequenceEqual([filters, 1, 1]) || scaleDims.SequenceEqual([filters])))
            return;
        var scale = Floats(scaleTensor, "");
        var weights = Floats(weightTensor, "");
        long perFilter = weights.Length / filters;
        var scaled = weights.Select((w, i) => w * scale[i / perFilter]).ToArray();
        var folded = conv.Clone();
        folded.Input[1] = graph.AddConstant(conv.Input[1] + ".scaled", Dims(weightTensor), scaled);
        if (conv.Input.Count > 2 && conv.Input[2].Length > 0)
            folded.Input[2] = graph.AddConstant(conv.Input[2] + ".scaled", [filters], Floats(graph.Constants[conv.Input[2]], "").Select((b, i) => b * scale[i]).ToArray());
        folded.Output[0] = node.Output[0];
        graph.Replace(conv, folded, node);
    }
}
