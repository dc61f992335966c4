using MLNet.ConvNet.Layers;
using Onnx;
using static MLNet.ConvNet.Onnx.Internals.OnnxTensors;

namespace MLNet.ConvNet.Onnx.Internals;

/// <summary>One protobuf node as a layer type's reader sees it (<see cref="IOnnxNode"/>), over the import that reads it.</summary>
internal sealed class OnnxNodeView(OnnxGraphImporter import, NodeProto node) : IOnnxNode
{
    public string OpType => node.OpType;

    public int InputCount => node.Input.Count;

    public bool HasInput(int input) => input < node.Input.Count && node.Input[input].Length > 0;

    public long[]? Ints(string attribute) => OnnxTensors.Ints(node, attribute);

    public long? Int(string attribute) => OnnxTensors.Int(node, attribute);

    public float? Float(string attribute) => OnnxTensors.Float(node, attribute);

    public string? Text(string attribute) => OnnxTensors.Text(node, attribute);

    public bool IsConstant(int input) => HasInput(input) && import.Constant(node.Input[input]) is not null;

    public (long[] Dims, float[] Values) Weight(int input, string what)
    {
        if (!IsConstant(input))
            throw new NotSupportedException($"The ONNX file '{import.File}' gives node '{OnnxGraphImporter.NodeName(node)}' ({node.OpType}) {what} that are not constant; the import reads weights stored in the file.");
        var tensor = import.Constant(node.Input[input])!;
        return (Dims(tensor), Floats(tensor, import.File));
    }

    public long[]? Longs(int input) => IsConstant(input) ? OnnxTensors.Longs(import.Constant(node.Input[input])!, import.File) : null;

    public long[] ShapeOf(int input) => import.ShapeOf(node, node.Input[input]);

    public string AddLayer(LayerSpec layer, params int[] inputs)
        => import.Layer(node, layer, (inputs.Length == 0 ? [0] : inputs).Select(i => node.Input[i]).ToList());

    public void AddWeight(string layer, string parameter, long[] dims, float[] values) => import.AddWeight(layer, parameter, dims, values);

    public void PassOn(int input) => import.Alias(node.Output[0], node.Input[input]);

    public NotSupportedException Refuse(string what) => import.Refuse(node, what);
}
