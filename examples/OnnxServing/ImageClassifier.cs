using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace OnnxServing;

/// <summary>
/// An exported ConvNet in ONNX Runtime. The graph takes the network's features ([N, channels x height x width] floats
/// in [0, 1], channel-major, or [N, C, H, W]) and gives the score columns of its task: <c>Score.output</c>, one
/// probability per class, for a classifier; <c>PredictedLabel.output</c>, <c>Score.output</c> and
/// <c>Probability.output</c> for a binary model; <c>Score.output</c>, the number, for a regression;
/// <c>PredictedLabels.output</c> and <c>Score.output</c>, per tag, for a tagger. A file exported with ConvertToStrictOnnx
/// (or the main example's export-onnx) says in its metadata which image shape, which classes (or tags) and which task;
/// for an older file the shape comes from a four-dimensional input, from --shape, or, for 784 values, is MNIST's
/// 1x28x28, and the task is multiclass. One session serves every thread.
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    private const string ShapeKey = "mlnet.convnet.input_shape", FeaturesKey = "mlnet.convnet.features", ClassesKey = "mlnet.convnet.classes", ArchitectureKey = "mlnet.convnet.architecture", TaskKey = "mlnet.convnet.task";

    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly int[] _inputDimensions;

    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an exported classifier, or does not say its image shape; the message says what it has and what is expected.</exception>
    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="shape">The image shape, for a file that does not record it; null to read it from the file.</param>
    /// <param name="threads">ONNX Runtime's threads for one image's scoring; null for its default (one per core). A server scoring requests side by side wants 1.</param>
    public ImageClassifier(string modelPath, (int Channels, int Height, int Width)? shape = null, int? threads = null)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"No model at '{Path.GetFullPath(modelPath)}'. Export one with: dotnet run --project examples/MnistConvNet -c Release -- export-onnx models/lenot.zip --onnx-out digits.onnx", modelPath);
        using var sessionOptions = new Microsoft.ML.OnnxRuntime.SessionOptions();
        if (threads is int t)
            sessionOptions.IntraOpNumThreads = t;
        _session = new InferenceSession(modelPath, sessionOptions);
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        Architecture = metadata.GetValueOrDefault(ArchitectureKey);
        string file = Path.GetFileName(modelPath);
        var floatInputs = _session.InputMetadata.Where(i => i.Value.ElementType == typeof(float)).Select(i => i.Key).ToList();
        _input = metadata.TryGetValue(FeaturesKey, out var named) ? named
            : floatInputs.Count == 1 ? floatInputs[0]
            : throw new InvalidDataException($"'{file}' has the inputs {Describe(_session.InputMetadata)}; expected one float input of features ([N, values] or [N, C, H, W]), as ConvertToOnnx writes it from a features-only input.");
        if (!_session.InputMetadata.TryGetValue(_input, out var input))
            throw new InvalidDataException($"'{file}' says its features input is '{_input}', but it has the inputs {Describe(_session.InputMetadata)}.");
        _inputDimensions = input.Dimensions;
        long values = _inputDimensions.Length switch
        {
            2 => _inputDimensions[1],
            4 => (long)_inputDimensions[1] * _inputDimensions[2] * _inputDimensions[3],
            _ => throw new InvalidDataException($"'{file}' has the features input '{_input}' of [{string.Join(", ", _inputDimensions)}]; expected [N, values] or [N, C, H, W]."),
        };
        Shape = shape
            ?? (metadata.TryGetValue(ShapeKey, out var recorded) ? Parse(recorded, $"its metadata's {ShapeKey}")
            : _inputDimensions.Length == 4 ? (_inputDimensions[1], _inputDimensions[2], _inputDimensions[3])
            : values == 784 ? (1, 28, 28)
            : throw new InvalidDataException($"'{file}' takes {values} feature values but does not say the image shape they hold (a file from plain ConvertToOnnx): " +
                "pass --shape CxHxW, or export it with ConvertToStrictOnnx (the main example's export-onnx does), which records the shape."));
        if ((long)Shape.Channels * Shape.Height * Shape.Width != values)
            throw new InvalidDataException($"'{file}' takes {values} feature values in '{_input}', but the image shape {Format(Shape)} holds {Shape.Channels * Shape.Height * Shape.Width}.");
        if (Shape.Channels is not (1 or 3))
            throw new InvalidDataException($"'{file}' takes {Format(Shape)} images; this sample reads gray (1 channel) or RGB (3 channels) image files.");
        Task = metadata.GetValueOrDefault(TaskKey, Multiclass);
        string[] outputs = Task switch
        {
            Multiclass => ["Score.output"],
            Binary => ["PredictedLabel.output", "Score.output", "Probability.output"],
            Regression => ["Score.output"],
            MultiLabel => ["PredictedLabels.output", "Score.output"],
            _ => throw new InvalidDataException($"'{file}' is a {Task} model, which this sample does not know ({Multiclass}, {Binary}, {Regression} or {MultiLabel}). Serve the model's .zip instead."),
        };
        foreach (var output in outputs)
        {
            if (!_session.OutputMetadata.TryGetValue(output, out var found) || found.Dimensions.Length != 2)
                throw new InvalidDataException($"'{file}' ({Task}) has the outputs {Describe(_session.OutputMetadata)}; expected {string.Join(", ", outputs.Select(o => $"'{o}'"))} of [N, values], as ConvertToOnnx writes that task's columns.");
        }
        int classes = _session.OutputMetadata["Score.output"].Dimensions[1];
        Classes = Task is Binary or Regression ? []
            : metadata.TryGetValue(ClassesKey, out var names) ? names.Split('\n') : Enumerable.Range(0, classes).Select(c => c.ToString()).ToArray();
        if (Task is Multiclass or MultiLabel && Classes.Count != classes)
            throw new InvalidDataException($"'{file}' names {Classes.Count} {(Task == MultiLabel ? "tags" : "classes")} in its metadata but scores {classes}.");
    }

    /// <summary>The images the network takes.</summary>
    public (int Channels, int Height, int Width) Shape { get; }

    /// <summary>Values per image: channels x height x width.</summary>
    public int Values => Shape.Channels * Shape.Height * Shape.Width;

    /// <summary>The class (or a tagger's tag) of each Score slot; empty for a binary model or a regression.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The model's task, as its metadata names it (MulticlassClassification for a file that does not).</summary>
    public string Task { get; }

    public const string Multiclass = "MulticlassClassification", Binary = "BinaryClassification", Regression = "Regression", MultiLabel = "MultiLabelClassification";

    /// <summary>The network's architecture, when the file records it.</summary>
    public string? Architecture { get; }

    /// <summary>Parses "CxHxW".</summary>
    /// <exception cref="InvalidDataException">The text is not three positive whole numbers joined by x.</exception>
    public static (int Channels, int Height, int Width) Parse(string text, string where)
    {
        var parts = text.Split('x');
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, out int v) && v > 0))
            return (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        throw new InvalidDataException($"Expected an image shape CxHxW such as 3x64x64 in {where}; got '{text}'.");
    }

    public static string Format((int Channels, int Height, int Width) shape) => $"{shape.Channels}x{shape.Height}x{shape.Width}";

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes)
        => string.Join(", ", nodes.Select(n => $"'{n.Key}' ({n.Value.ElementType.Name} [{string.Join(", ", n.Value.Dimensions)}])"));

    /// <summary>Scores <paramref name="count"/> images laid out one after another in <paramref name="pixels"/>, as the model's task answers.</summary>
    public IReadOnlyList<Prediction> Classify(ReadOnlySpan<float> pixels, int count)
    {
        int[] dimensions = _inputDimensions.Length == 4 ? [count, Shape.Channels, Shape.Height, Shape.Width] : [count, Values];
        var tensor = new DenseTensor<float>(pixels[..(count * Values)].ToArray(), dimensions);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        float[] Floats(string name) => results.Single(r => r.Name == name).AsTensor<float>().ToArray();
        bool[] Booleans(string name) => results.Single(r => r.Name == name).AsTensor<bool>().ToArray();
        var scores = Floats("Score.output");
        int width = scores.Length / count;
        var predictions = new Prediction[count];
        var (predicted, probability) = Task switch
        {
            Binary => (Booleans("PredictedLabel.output"), Floats("Probability.output")),
            MultiLabel => (Booleans("PredictedLabels.output"), null),
            _ => ((bool[]?)null, (float[]?)null),
        };
        for (int i = 0; i < count; i++)
        {
            var row = scores.AsSpan(i * width, width).ToArray();
            predictions[i] = Task switch
            {
                Binary => new Prediction(predicted![i] ? "true" : "false", [], []) { IsTrue = predicted[i], Probability = probability![i], Score = row[0] },
                Regression => new Prediction("", [], []) { Value = row[0] },
                MultiLabel => TagsOf(row, predicted.AsSpan(i * width, width)),
                _ => new Prediction(Classes[Array.IndexOf(row, row.Max())], row, Classes),
            };
        }
        return predictions;
    }

    private Prediction TagsOf(float[] probabilities, ReadOnlySpan<bool> predicted)
    {
        var tags = new List<string>();
        for (int t = 0; t < predicted.Length; t++)
        {
            if (predicted[t])
                tags.Add(Classes[t]);
        }
        return new Prediction(string.Join(",", tags), probabilities, Classes) { Tags = tags };
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// One image's class and the probability of every class; a binary model's <see cref="IsTrue"/>, probability and score;
/// a regression's <see cref="Value"/>; a tagger's <see cref="Tags"/>, with every tag's probability.
/// </summary>
public sealed record Prediction(string Class, float[] Probabilities, IReadOnlyList<string> Classes)
{
    public bool? IsTrue { get; init; }

    public float? Probability { get; init; }

    public float? Score { get; init; }

    public float? Value { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public IEnumerable<(string Class, float Probability)> Top(int n)
        => Probabilities.Select((p, i) => (Classes[i], p)).OrderByDescending(t => t.p).Take(n);
}
