using Onnx;
using static MLNet.ConvNet.Onnx.Internals.OnnxTensors;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>
/// Works out at import the arithmetic an exporter writes on shapes (PyTorch's for <c>x.size()</c>, <c>chunk</c> and
/// <c>view</c>): Shape of a tensor whose shape the layers so far give, and Gather, Unsqueeze, Squeeze, Concat, Cast,
/// Add, Sub, Mul, Div and Slice of constants. The batch is not known at import: Shape gives -1 for it, which only
/// passes through (a Reshape's target takes -1 as "whatever is left"); arithmetic on it is refused.
/// </summary>
internal static class OnnxShapeArithmetic
{
    public static readonly IReadOnlyList<string> Operators = ["Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Add", "Sub", "Mul", "Div", "Slice"];

    private sealed record Value(long[] Dims, double[] Values, bool Integer);

    /// <summary>
    /// The node's output as a constant, or null when its inputs are not all known (it is then a layer's to read).
    /// <paramref name="constant"/> gives a known constant by name; <paramref name="shapeOf"/> a tensor's shape with the batch as -1.
    /// </summary>
    /// <exception cref="NotSupportedException">The arithmetic uses the unknown batch size, or a form not read.</exception>
    public static TensorProto? TryFold(NodeProto node, Func<string, TensorProto?> constant, Func<string, long[]?> shapeOf, string file)
    {
        if (!Operators.Contains(node.OpType) || node.Output.Count != 1)
            return null;
        if (node.OpType == "Shape")
        {
            if (shapeOf(node.Input[0]) is not { } shape)
                return null;
            long start = Normalise(Int(node, "start") ?? 0, shape.Length), end = Normalise(Int(node, "end") ?? shape.Length, shape.Length);
            return Make(node.Output[0], new Value([Math.Max(0, end - start)], shape[(int)start..(int)Math.Max(start, end)].Select(d => (double)d).ToArray(), true));
        }
        var inputs = new List<Value?>();
        foreach (var name in node.Input)
            inputs.Add(name.Length == 0 ? null : constant(name) is { } t ? Read(t, file) : null);
        if (inputs.Count == 0 || inputs.Where((v, i) => node.Input[i].Length > 0).Any(v => v is null))
            return null;
        var a = inputs[0]!;
        Value result = node.OpType switch
        {
            "Gather" => Gather(a, inputs[1]!, Int(node, "axis") ?? 0, node),
            "Unsqueeze" => Unsqueeze(a, Ints(node, "axes") ?? Longs(inputs[1]!)),
            "Squeeze" => new Value(Squeezed(a.Dims, Ints(node, "axes") ?? (inputs.Count > 1 && inputs[1] is { } axes ? Longs(axes) : null)), a.Values, a.Integer),
            "Concat" => Concat(inputs.Select(v => v!).ToList(), Int(node, "axis") ?? 0, node),
            "Cast" => new Value(a.Dims, a.Values, Int(node, "to") is (long)TensorProto.Types.DataType.Int64 or (long)TensorProto.Types.DataType.Int32),
            "Slice" => SliceOf(a, inputs, node),
            _ => Elementwise(node, a, inputs[1]!),
        };
        return Make(node.Output[0], result);
    }

    private static Value Elementwise(NodeProto node, Value a, Value b)
    {
        if (a.Values.Length != b.Values.Length && a.Values.Length != 1 && b.Values.Length != 1)
            throw new NotSupportedException($"The import works out shape arithmetic of one value or equal lengths; node '{node.Name}' ({node.OpType}) has {a.Values.Length} and {b.Values.Length}.");
        int n = Math.Max(a.Values.Length, b.Values.Length);
        bool integer = a.Integer && b.Integer;
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x = a.Values[a.Values.Length == 1 ? 0 : i], y = b.Values[b.Values.Length == 1 ? 0 : i];
            if (integer && (x < 0 || y < 0))
                throw new NotSupportedException($"Node '{node.Name}' ({node.OpType}) computes with the batch size or a negative size, which the import does not know; export the network with a fixed shape, or without arithmetic on sizes.");
            values[i] = node.OpType switch
            {
                "Add" => x + y,
                "Sub" => x - y,
                "Mul" => x * y,
                _ => integer ? Math.Truncate(x / y) : x / y,
            };
        }
        return new Value(a.Values.Length >= b.Values.Length ? a.Dims : b.Dims, values, integer);
    }

    private static Value Gather(Value data, Value indices, long axis, NodeProto node)
    {
        if (data.Dims.Length != 1 || axis != 0)
            throw new NotSupportedException($"The import works out a Gather from a list of sizes; node '{node.Name}' gathers axis {axis} of [{string.Join(", ", data.Dims)}].");
        var picked = indices.Values.Select(i => data.Values[(int)Normalise((long)i, data.Values.Length)]).ToArray();
        return new Value(indices.Dims, picked, data.Integer);
    }

    private static Value Unsqueeze(Value value, long[] axes)
    {
        var dims = value.Dims.ToList();
        foreach (long axis in axes.Select(a => Normalise(a, value.Dims.Length + axes.Length)).Order())
            dims.Insert((int)axis, 1);
        return new Value([.. dims], value.Values, value.Integer);
    }

    private static long[] Squeezed(long[] dims, long[]? axes)
    {
        var drop = axes?.Select(a => Normalise(a, dims.Length)).ToHashSet();
        return dims.Where((d, i) => !(d == 1 && (drop is null || drop.Contains(i)))).ToArray();
    }

    private static Value Concat(IReadOnlyList<Value> parts, long axis, NodeProto node)
    {
        if (parts.Any(p => p.Dims.Length != 1) || axis is not (0 or -1))
            throw new NotSupportedException($"The import works out a Concat of lists of sizes; node '{node.Name}' joins axis {axis} of {string.Join(" and ", parts.Select(p => "[" + string.Join(", ", p.Dims) + "]"))}.");
        var values = parts.SelectMany(p => p.Values).ToArray();
        return new Value([values.Length], values, parts.All(p => p.Integer));
    }

    private static Value SliceOf(Value data, List<Value?> inputs, NodeProto node)
    {
        var starts = Ints(node, "starts") ?? Longs(inputs[1]!);
        var ends = Ints(node, "ends") ?? Longs(inputs[2]!);
        var axes = Ints(node, "axes") ?? (inputs.Count > 3 && inputs[3] is { } a ? Longs(a) : [0]);
        var steps = inputs.Count > 4 && inputs[4] is { } s ? Longs(s) : [1];
        if (data.Dims.Length != 1 || axes is not [0 or -1] || steps is not [1])
            throw new NotSupportedException($"The import works out a Slice of a list of sizes with step 1; node '{node.Name}' slices [{string.Join(", ", data.Dims)}].");
        long start = Math.Clamp(Normalise(starts[0], data.Values.Length), 0, data.Values.Length);
        long end = Math.Clamp(Normalise(Math.Min(ends[0], data.Values.Length), data.Values.Length), start, data.Values.Length);
        var values = data.Values[(int)start..(int)end];
        return new Value([values.Length], values, data.Integer);
    }

    private static long Normalise(long axis, long rank) => axis < 0 ? axis + rank : axis;

    private static long[] Longs(Value value) => value.Values.Select(v => (long)v).ToArray();

    private static Value Read(TensorProto tensor, string file)
    {
        var type = (TensorProto.Types.DataType)tensor.DataType;
        var dims = Dims(tensor);
        return type is TensorProto.Types.DataType.Float
            ? new Value(dims, Floats(tensor, file).Select(v => (double)v).ToArray(), false)
            : new Value(dims, OnnxTensors.Longs(tensor, file).Select(v => (double)v).ToArray(), true);
    }

    private static TensorProto Make(string name, Value value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)(value.Integer ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float) };
        tensor.Dims.AddRange(value.Dims);
        if (value.Integer)
            tensor.Int64Data.AddRange(value.Values.Select(v => (long)v));
        else
            tensor.FloatData.AddRange(value.Values.Select(v => (float)v));
        return tensor;
    }
}
