namespace MLNet.ConvNet.Layers;

/// <summary>
/// An ONNX graph being built, as much of it as a layer needs to write itself: nodes with attributes, and constant
/// tensors (weights) as initializers. Opset 11 or later. Model/Internals implements it over ML.NET's ONNX context, so
/// the layers know nothing of ML.NET's internals.
/// </summary>
internal interface IOnnxGraph
{
    /// <summary>Adds a node and returns the name of its (one) output variable.</summary>
    /// <param name="opType">The ONNX operator, such as <c>Conv</c>.</param>
    /// <param name="inputs">The input variables, in the operator's order.</param>
    /// <param name="outputName">A readable stem for the output variable; made unique.</param>
    /// <param name="attributes">Attribute values: long, long[], float or string.</param>
    string AddNode(string opType, IReadOnlyList<string> inputs, string outputName, IReadOnlyDictionary<string, object>? attributes = null);

    /// <summary>Adds a float tensor initializer and returns its name.</summary>
    string AddInitializer(float[] values, long[] dims, string name);

    /// <summary>Adds an int64 tensor initializer and returns its name.</summary>
    string AddInitializer(long[] values, long[] dims, string name);
}
