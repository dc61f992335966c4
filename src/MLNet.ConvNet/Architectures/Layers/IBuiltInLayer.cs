namespace MLNet.ConvNet.Layers;

/// <summary>
/// A layer type of this library: it writes its own settings into the model's architecture description
/// (<see cref="LayerSpec.WriteSettings"/>), reads them back (<see cref="Read"/>), and names the ONNX operators it reads
/// (<see cref="OnnxReaders"/>). <see cref="LayerTypes"/> finds every such type, so a new layer type is one new file.
/// </summary>
internal interface IBuiltInLayer
{
    /// <summary>The layer from the settings its <see cref="LayerSpec.WriteSettings"/> wrote.</summary>
    /// <exception cref="KeyNotFoundException">A setting is missing.</exception>
    static abstract LayerSpec Read(LayerSettings settings);

    /// <summary>The ONNX operators this layer type is imported from, each with its reader. Defaults to none.</summary>
    static virtual IEnumerable<OnnxReader> OnnxReaders => [];
}

/// <summary>How one ONNX operator becomes layers: <paramref name="Read"/> adds them (or passes its input on) for a node.</summary>
internal sealed record OnnxReader(string Operator, Action<IOnnxNode> Read);
