using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace OnnxServing;

/// <summary>
/// The exported network in ONNX Runtime. The graph ML.NET's ConvertToOnnx writes takes a <c>Features</c> input of
/// [N, channels x height x width] floats in [0, 1] and gives <c>Score.output</c> (one probability per class) and, when
/// the pipeline ended with MapKeyToValue, the class names (such as <c>PredictedDigit.output</c>). One session serves
/// every thread.
/// </summary>
public sealed class DigitClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _classOutput;

    public DigitClassifier(string modelPath)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"No model at '{Path.GetFullPath(modelPath)}'. Export one with: dotnet run --project examples/MnistConvNet -c Release -- export-onnx models/lenot.zip --out digits.onnx", modelPath);
        _session = new InferenceSession(modelPath);
        if (!_session.InputMetadata.TryGetValue("Features", out var input) || input.Dimensions.Length != 2)
            throw new InvalidDataException($"'{modelPath}' has inputs {string.Join(", ", _session.InputMetadata.Keys)}; expected one 'Features' input of [N, pixels], as ConvertToOnnx writes it from a features-only input.");
        Pixels = input.Dimensions[1];
        Width = Height = (int)Math.Sqrt(Pixels);
        if (!_session.OutputMetadata.TryGetValue("Score.output", out var score))
            throw new InvalidDataException($"'{modelPath}' has no 'Score.output'; its outputs are {string.Join(", ", _session.OutputMetadata.Keys)}.");
        int classes = score.Dimensions[1];
        _classOutput = _session.OutputMetadata.Where(o => o.Value.ElementType == typeof(string)).Select(o => o.Key).FirstOrDefault();
        Classes = Enumerable.Range(0, classes).Select(c => c.ToString()).ToArray();
    }

    /// <summary>Pixels per image, as the model takes them.</summary>
    public int Pixels { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The class of each Score slot (the digits when the model has no class names of its own).</summary>
    public IReadOnlyList<string> Classes { get; private set; }

    /// <summary>Classifies <paramref name="count"/> images laid out one after another in <paramref name="pixels"/>.</summary>
    public IReadOnlyList<Prediction> Classify(ReadOnlySpan<float> pixels, int count)
    {
        var tensor = new DenseTensor<float>(pixels[..(count * Pixels)].ToArray(), [count, Pixels]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor("Features", tensor)]);
        var scores = results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray();
        var names = _classOutput is null ? null : results.Single(r => r.Name == _classOutput).AsTensor<string>().ToArray();
        int classes = scores.Length / count;
        var predictions = new Prediction[count];
        for (int i = 0; i < count; i++)
        {
            var probabilities = scores.AsSpan(i * classes, classes).ToArray();
            int best = Array.IndexOf(probabilities, probabilities.Max());
            predictions[i] = new Prediction(names?[i] ?? Classes[best], probabilities, Classes);
        }
        return predictions;
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>One image's class and the probability of every class.</summary>
public sealed record Prediction(string Class, float[] Probabilities, IReadOnlyList<string> Classes)
{
    public IEnumerable<(string Class, float Probability)> Top(int n)
        => Probabilities.Select((p, i) => (Classes[i], p)).OrderByDescending(t => t.p).Take(n);
}
