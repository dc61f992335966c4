namespace MLNet.ConvNet.Layers;

/// <summary>The attributes ONNX's windowed operators (Conv, MaxPool, AveragePool) share, read as this library's square windows.</summary>
internal static class OnnxWindows
{
    /// <summary>The side of the square window (kernel_shape, else <paramref name="fallback"/>, such as the weights' last two dimensions).</summary>
    public static int Square(IOnnxNode node, long[]? fallback = null)
    {
        var kernel = node.Ints("kernel_shape") ?? fallback ?? [];
        return kernel is [long h, long w] && h == w && h > 0 ? (int)h
            : throw node.Refuse($"a window of [{string.Join(", ", kernel)}]; only square 2-D windows are read");
    }

    /// <summary>The one step in both directions (strides; 1 when absent).</summary>
    public static int Strides(IOnnxNode node)
    {
        var strides = node.Ints("strides") ?? [1, 1];
        return strides is [long h, long w] && h == w && h > 0 ? (int)h
            : throw node.Refuse($"strides of [{string.Join(", ", strides)}]; only equal strides are read");
    }

    /// <summary>The one dilation in both directions (dilations; 1 when absent).</summary>
    public static int Dilation(IOnnxNode node)
    {
        var dilations = node.Ints("dilations") ?? [1, 1];
        return dilations is [long h, long w] && h == w && h > 0 ? (int)h
            : throw node.Refuse($"dilations of [{string.Join(", ", dilations)}]; only equal dilations are read");
    }

    /// <summary>ONNX's pads (top, left, bottom, right) or auto_pad as this library's padding.</summary>
    public static (ConvPadding Padding, Padding2D? Explicit) Padding(IOnnxNode node)
    {
        string autoPad = node.Text("auto_pad") ?? "NOTSET";
        switch (autoPad)
        {
            case "SAME_UPPER":
                return (ConvPadding.Same, null);
            case "VALID":
                return (ConvPadding.Valid, null);
            case "NOTSET" or "":
                var pads = node.Ints("pads") ?? [0, 0, 0, 0];
                if (pads.Length != 4 || pads.Any(p => p < 0))
                    throw node.Refuse($"pads of [{string.Join(", ", pads)}]; 2-D pads of 0 or more (top, left, bottom, right) are read");
                var explicitPadding = new Padding2D((int)pads[0], (int)pads[2], (int)pads[1], (int)pads[3]);
                return (ConvPadding.Valid, explicitPadding.IsZero ? null : explicitPadding);
            default:
                throw node.Refuse($"auto_pad {autoPad}; NOTSET, VALID and SAME_UPPER are read");
        }
    }
}
