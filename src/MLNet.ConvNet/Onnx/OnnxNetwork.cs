using MLNet.ConvNet.Onnx.Internals;

namespace MLNet.ConvNet;

/// <summary>
/// Convolutional networks from ONNX files, as trainable architectures of this library with their weights: a network
/// exported by PyTorch, Keras (tf2onnx), CNTK or this library itself becomes a <see cref="GraphArchitecture"/> that
/// trains, fine-tunes, saves, exports and explains like the built-in ones. Residual networks are graphs, and stay graphs.
/// </summary>
/// <remarks>
/// Operators read: Conv (square kernels, equal strides, any pads, no dilation or groups), BatchNormalization, Relu,
/// Sigmoid, Tanh, Elu (alpha 1), LeakyRelu (alpha 0.3), Softmax (last), Add (residual joins), MaxPool, AveragePool,
/// GlobalAveragePool, Flatten, Reshape (to the images, or flat), Gemm, MatMul (with an Add of a bias), Dropout and
/// Identity. Any other operator on the way from the input to the output is refused, naming the operator, the node and the
/// file. Weights must be float32 and inside the file.
/// </remarks>
public static class OnnxNetwork
{
    /// <summary>The ONNX operators the import reads.</summary>
    public static IReadOnlyList<string> SupportedOperators => OnnxGraphImporter.Operators;

    /// <summary>Reads the network of the ONNX file at <paramref name="path"/>, weights included.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Which input and output, the name, the image shape. Defaults to null: everything from the file.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or its graph is not a network from one image input.</exception>
    /// <exception cref="NotSupportedException">The network uses an operator, an attribute or a weight type the import does not read; the message names it, the node and the file.</exception>
    public static GraphArchitecture Import(string path, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No ONNX file at '{Path.GetFullPath(path)}'.", path);
        global::Onnx.ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = global::Onnx.ModelProto.Parser.ParseFrom(stream);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException($"'{path}' is not an ONNX model: it has no graph nodes.");
        options ??= new OnnxImportOptions();
        string name = options.Name ?? Path.GetFileNameWithoutExtension(path);
        return new OnnxGraphImporter(model.Graph, Path.GetFileName(path), options).Import(name);
    }
}
