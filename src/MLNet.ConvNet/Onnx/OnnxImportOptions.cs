namespace MLNet.ConvNet;

/// <summary>How <see cref="OnnxNetwork.Import(string, OnnxImportOptions?)"/> reads an ONNX file.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>The architecture's name. Defaults to null: the file's name without its extension.</summary>
    public string? Name { get; init; }

    /// <summary>The graph input that takes the images. Defaults to null: the graph's one float input.</summary>
    public string? Input { get; init; }

    /// <summary>
    /// The tensor where the network ends. Defaults to null: the output of the first Softmax on the way from the input (a
    /// classifier, such as one this library exported, whose ML.NET nodes after it are left out), else the graph's one
    /// float output (a backbone such as ResNet18's features).
    /// </summary>
    public string? Output { get; init; }

    /// <summary>
    /// The images the network takes, when the file does not say: its input is neither [N, C, H, W] with sizes nor
    /// reshaped to that by its first node. Defaults to null.
    /// </summary>
    public ImageShape? InputShape { get; init; }

    /// <summary>
    /// Whether the imported layers are marked <see cref="Layers.LayerSpec.Pretrained"/>, so fine-tuning trains a new head
    /// first with them frozen. Defaults to true.
    /// </summary>
    public bool Pretrained { get; init; } = true;

    /// <summary>The architecture's default number of epochs. Defaults to 10.</summary>
    public int DefaultEpochs { get; init; } = 10;
}
