using Onnx;

namespace MLNet.ConvNet.Onnx;

/// <summary>Tensor shapes in an ONNX model's declarations.</summary>
internal static class OnnxShapes
{
    /// <summary>
    /// Gives every dimension declared with a negative size (ML.NET's way of saying "unknown") the symbolic name
    /// <paramref name="name"/> instead, in the graph's inputs, outputs and value infos. Returns how many were renamed.
    /// </summary>
    public static int NameUnknownDimensions(ModelProto model, string name)
    {
        int renamed = 0;
        var graph = model.Graph;
        foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            if (info.Type?.TensorType?.Shape is not { } shape)
                continue;
            foreach (var dim in shape.Dim)
            {
                if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue < 0)
                {
                    dim.DimParam = name;
                    renamed++;
                }
            }
        }
        return renamed;
    }
}
