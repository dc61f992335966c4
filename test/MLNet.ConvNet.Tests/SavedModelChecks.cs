using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNet.ConvNet.Tests;

/// <summary>
/// What a model trained on 32x32 gray images (<see cref="TestData.DigitsAt32"/>) must do once saved: score bit for bit in
/// a fresh process, and export strictly to an ONNX file that ONNX Runtime scores within 1e-5 of the transformer. Shared
/// by the pretrained ResNet18's tests and the imported torchvision families'.
/// </summary>
public static class SavedModelChecks
{
    private sealed class Padded
    {
        [VectorType(1024)] public float[] Features { get; set; } = [];
    }

    /// <summary>The example's score command loads <paramref name="zip"/> in another process and scores <paramref name="data"/>'s test split.</summary>
    public static void ScoresBitForBitInAFreshProcess(string data, string zip, float[] expected)
    {
        string scoresPath = Path.Combine(TestData.TempDirectory(), "scores.bin");
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "score", "--data", data, "--scores-out", scoresPath, zip);
        Assert.AreEqual(0, exitCode, output + errors);
        CollectionAssert.AreEqual(expected, MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(scoresPath)).ToArray(), "bit for bit in another process");
    }

    /// <summary>ConvertToStrictOnnx, then ONNX Runtime's scores for <paramref name="test"/>'s features against <paramref name="expected"/>.</summary>
    public static void StrictOnnxAgrees(MLContext ml, ITransformer model, IDataView test, float[] expected, string name)
    {
        string onnx = Path.Combine(TestData.TempDirectory(), $"{name}.onnx");
        ml.Model.ConvertToStrictOnnx(model, ml.Data.LoadFromEnumerable(new List<Padded>()), onnx);
        using var session = new InferenceSession(onnx);
        var features = test.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, [features.Length / 1024, 1024]))]);
        var scores = results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray();
        double largest = scores.Zip(expected).Max(p => Math.Abs(p.First - p.Second));
        Assert.IsTrue(largest <= 1e-5, $"ONNX Runtime's scores of the strict export differ by up to {largest:E2}");
    }
}
