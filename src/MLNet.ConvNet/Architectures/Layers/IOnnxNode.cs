namespace MLNet.ConvNet.Layers;

/// <summary>
/// One node of an ONNX graph being imported, as much of it as a layer type needs to read itself (its
/// <see cref="IBuiltInLayer.OnnxReaders"/>): the operator's attributes and constant inputs, the shapes that reach it,
/// and the calls that add the layer it becomes with its weights. Onnx/Internals implements it over the protobuf graph,
/// so the layers know nothing of protobuf, as <see cref="IOnnxGraph"/> is their side of the export.
/// </summary>
internal interface IOnnxNode
{
    /// <summary>The operator, such as <c>Conv</c>.</summary>
    string OpType { get; }

    /// <summary>Whether the node has input <paramref name="input"/> (ONNX leaves optional inputs empty).</summary>
    bool HasInput(int input);

    /// <summary>How many inputs the node lists, empty ones included.</summary>
    int InputCount { get; }

    long[]? Ints(string attribute);

    long? Int(string attribute);

    float? Float(string attribute);

    string? Text(string attribute);

    /// <summary>Whether input <paramref name="input"/> is a constant: a weight, or shape arithmetic the import worked out.</summary>
    bool IsConstant(int input);

    /// <summary>The float constant at <paramref name="input"/> (<paramref name="what"/> names it in the refusal).</summary>
    /// <exception cref="NotSupportedException">The input is not a constant of the file.</exception>
    (long[] Dims, float[] Values) Weight(int input, string what);

    /// <summary>The integer constant at <paramref name="input"/>, or null when the input is no constant.</summary>
    long[]? Longs(int input);

    /// <summary>The shape (without the batch) of what reaches input <paramref name="input"/>, as the layers so far compute it.</summary>
    long[] ShapeOf(int input);

    /// <summary>Adds <paramref name="layer"/> taking the layers behind the node inputs <paramref name="inputs"/> (none: input 0); returns its name.</summary>
    string AddLayer(LayerSpec layer, params int[] inputs);

    /// <summary>Adds a weight of the layer named <paramref name="layer"/>, such as its <c>weight</c>, with torch's shape.</summary>
    void AddWeight(string layer, string parameter, long[] dims, float[] values);

    /// <summary>The node's output is what reaches input <paramref name="input"/> (a Flatten of something flat, a Dropout's scoring).</summary>
    void PassOn(int input);

    /// <summary>An exception that says the node cannot be read because of <paramref name="what"/>, naming the file, node and operator.</summary>
    NotSupportedException Refuse(string what);
}
