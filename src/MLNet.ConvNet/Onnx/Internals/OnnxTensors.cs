using Google.Protobuf;
using Onnx;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>Reading constant tensors and attributes from ONNX protobuf messages.</summary>
internal static class OnnxTensors
{
    public static long[] Dims(TensorProto tensor) => tensor.Dims.ToArray();

    /// <exception cref="NotSupportedException">The tensor is not float32, or keeps its data in an external file.</exception>
    public static float[] Floats(TensorProto tensor, string file)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
            throw new NotSupportedException($"The ONNX file '{file}' keeps tensor '{tensor.Name}' in an external file; save the model with its weights inside (onnx.save(model, path, save_as_external_data=False)).");
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new NotSupportedException($"The ONNX file '{file}' stores tensor '{tensor.Name}' as {(TensorProto.Types.DataType)tensor.DataType}; only float32 weights are read.");
        if (!tensor.RawData.IsEmpty)
            return FromBytes<float>(tensor.RawData);
        return tensor.FloatData.ToArray();
    }

    /// <exception cref="NotSupportedException">The tensor is not an integer tensor.</exception>
    public static long[] Longs(TensorProto tensor, string file)
    {
        return (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Int64 => tensor.RawData.IsEmpty ? tensor.Int64Data.ToArray() : FromBytes<long>(tensor.RawData),
            TensorProto.Types.DataType.Int32 => tensor.RawData.IsEmpty ? tensor.Int32Data.Select(v => (long)v).ToArray() : FromBytes<int>(tensor.RawData).Select(v => (long)v).ToArray(),
            var other => throw new NotSupportedException($"The ONNX file '{file}' stores tensor '{tensor.Name}' as {other}; an integer tensor was expected."),
        };
    }

    private static T[] FromBytes<T>(ByteString bytes) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not.");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes.Span).ToArray();
    }

    public static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long[]? Ints(NodeProto node, string name) => Attribute(node, name)?.Ints.ToArray();

    public static long? Int(NodeProto node, string name) => Attribute(node, name)?.I;

    public static float? Float(NodeProto node, string name) => Attribute(node, name)?.F;

    public static string? Text(NodeProto node, string name) => Attribute(node, name)?.S.ToStringUtf8();
}
