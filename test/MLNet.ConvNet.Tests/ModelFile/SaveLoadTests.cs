using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.ModelFile;

[TestClass]
public sealed class SaveLoadTests
{
    private static string _directory;
    private static string _modelPath;
    private static float[] _scores;
    private static MulticlassClassificationMetrics _metrics;
    private const int TestRows = 300;

    [ClassInitialize]
    public static void TrainOnce(TestContext context)
    {
        _directory = TestData.TempDirectory();
        var ml = TrainedModels.Ml;
        var train = TrainedModels.Training;
        var convNet = TrainedModels.LeNot;
        var model = new TransformerChain<ITransformer>(convNet, ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel").Fit(convNet.Transform(train)));
        var scored = model.Transform(TestData.Digits(ml, TestRows, seed: 2));
        _scores = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        _metrics = ml.MulticlassClassification.Evaluate(scored);
        _modelPath = Path.Combine(_directory, "lenot.zip");
        ml.Model.Save(model, train.Schema, _modelPath);
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    public void Load_ReturnsTheTypedTransformer_WithArchitectureSummaryAndHistory()
    {
        var ml = new MLContext();
        var loaded = (TransformerChain<ITransformer>)ml.Model.Load(_modelPath, out var schema);
        var convNet = loaded.OfType<ConvNetTransformer>().Single();
        Assert.AreEqual("LeNot", convNet.ArchitectureName);
        Assert.AreEqual(10, convNet.NumberOfClasses);
        Assert.AreEqual(1, convNet.History.Count);
        StringAssert.Contains(convNet.Summary, "Total params: 61,706");
        Assert.IsNotNull(schema.GetColumnOrNull("Features"));
    }

    [TestMethod]
    public void Load_GivesBitIdenticalScores_AndTheSameMetrics()
    {
        var ml = new MLContext();
        var loaded = ml.Model.Load(_modelPath, out _);
        var scored = loaded.Transform(TestData.Digits(ml, TestRows, seed: 2));
        CollectionAssert.AreEqual(_scores, scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray());
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.AreEqual(_metrics.MicroAccuracy, metrics.MicroAccuracy);
        Assert.AreEqual(_metrics.LogLoss, metrics.LogLoss);
    }

    public static IEnumerable<object[]> Registered => TestSetup.RegisteredArchitectures;

    [TestMethod]
    [DynamicData(nameof(Registered))]
    public void EveryArchitecture_SavesAndLoads_WithBitIdenticalScores(string architecture)
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 256);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = 1 }).Fit(train);
        var test = TestData.Digits(ml, 64, seed: 2);
        var before = model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        using var file = new MemoryStream();
        ml.Model.Save(model, train.Schema, file);
        file.Position = 0;
        var loaded = (ConvNetTransformer)ml.Model.Load(file, out _);
        Assert.AreEqual(model.ArchitectureName, loaded.ArchitectureName);
        Assert.AreEqual(model.Summary, loaded.Summary);
        CollectionAssert.AreEqual(before, loaded.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray());
    }

    [TestCategory("Integration")] // a fresh process scores MNIST
    [TestMethod]
    public void Load_InAFreshProcess_GivesBitIdenticalScores()
    {
        string scoresPath = Path.Combine(_directory, "scores.bin");
        var (exitCode, errors) = RunScorer(_modelPath, scoresPath);
        Assert.AreEqual(0, exitCode, errors);
        var scores = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(scoresPath)).ToArray();
        // The scorer reads the MNIST test images: score the same ones here.
        var ml = new MLContext(1);
        var expected = ml.Model.Load(_modelPath, out _).Transform(TestData.Test(ml, TestRows)).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        CollectionAssert.AreEqual(expected, scores);
    }

    [TestMethod]
    public void PredictionEngine_OnTheLoadedModel_MapsTheKeyBackToTheDigit()
    {
        var ml = new MLContext();
        var loaded = ml.Model.Load(_modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded);
        var test = GeneratedDigits.Generate(TestRows, seed: 2);
        int correct = 0;
        for (int i = 0; i < TestRows; i++)
        {
            var features = test.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MLNet.ConvNet.Data.MnistDataset.PixelScale).ToArray();
            var prediction = engine.Predict(new Digit { Features = features });
            // Transform scores in batches, the engine one row at a time: libtorch's kernels may differ in the last bits.
            var batched = _scores.AsSpan(i * 10, 10).ToArray();
            for (int c = 0; c < 10; c++)
                Assert.AreEqual(batched[c], prediction.Score[c], 1e-5f);
            Assert.AreEqual(Array.IndexOf(prediction.Score, prediction.Score.Max()).ToString(), prediction.PredictedDigit);
            correct += prediction.PredictedDigit == test.Labels[i].ToString() ? 1 : 0;
        }
        Assert.AreEqual(_metrics.MicroAccuracy, correct / (double)TestRows, 1e-9);
    }

    [TestMethod]
    public void ScoreColumn_CarriesTheAnnotationsOfMLNetMulticlassScorers()
    {
        var ml = new MLContext();
        var output = ml.Model.Load(_modelPath, out _).Transform(TestData.Digits(ml, 5, seed: 2)).Schema;
        var score = output["Score"];
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        score.GetSlotNames(ref slotNames);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), slotNames.DenseValues().Select(v => v.ToString()).ToArray());
        ReadOnlyMemory<char> kind = default;
        score.Annotations.GetValue("ScoreColumnKind", ref kind);
        Assert.AreEqual("MulticlassClassification", kind.ToString());
        Assert.IsNotNull(score.Annotations.Schema.GetColumnOrNull("TrainingLabelValues"));
        Assert.IsNotNull(output["PredictedLabel"].Annotations.Schema.GetColumnOrNull("KeyValues"));
    }

    [TestMethod]
    public void Load_OfAlteredWeights_IsRefusedAndNeverReturnsAWrongModel_AndLoadWithClearErrorsSaysSoDirectly()
    {
        string altered = Path.Combine(_directory, "altered.zip");
        File.Copy(_modelPath, altered, overwrite: true);
        using (var zip = ZipFile.Open(altered, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("/Weights", StringComparison.Ordinal));
            byte[] bytes;
            using (var read = entry.Open())
            using (var copy = new MemoryStream())
            {
                read.CopyTo(copy);
                bytes = copy.ToArray();
            }
            bytes[bytes.Length / 2] ^= 0x40;
            string name = entry.FullName;
            entry.Delete();
            using var write = zip.CreateEntry(name).Open();
            write.Write(bytes);
        }
        var ml = new MLContext();
        var error = Assert.Throws<Exception>(() => ml.Model.Load(altered, out _));
        StringAssert.Contains(TestData.Messages(error), "do not match their checksum");
        Assert.IsInstanceOfType<System.Reflection.TargetInvocationException>(error, "ML.NET's loader wraps it");

        // LoadWithClearErrors: the library's own exception, unwrapped.
        var clear = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithClearErrors(altered, out _));
        StringAssert.Contains(clear.Message, "do not match their checksum");
    }

    [TestMethod]
    public void LoadWithClearErrors_OfAFileThatIsNoZip_OrHalfOfOne_SaysWhatItExpected()
    {
        var ml = new MLContext();
        string text = Path.Combine(_directory, "text.zip"), half = Path.Combine(_directory, "half.zip");
        File.WriteAllText(text, "not a model");
        byte[] whole = File.ReadAllBytes(_modelPath);
        File.WriteAllBytes(half, whole[..(whole.Length / 2)]);
        foreach (string path in new[] { text, half })
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithClearErrors(path, out _));
            StringAssert.Contains(error.Message, $"'{path}' is not a model: expected the .zip archive that mlContext.Model.Save writes, but it cannot be opened as one");
            StringAssert.Contains(error.Message, $"{new FileInfo(path).Length:N0} bytes");
        }
    }

    [TestCategory("Integration")] // a fresh process scores MNIST
    [TestMethod]
    public void UserArchitecture_SavesAndLoads_AndAFreshProcessWithoutItSaysToRegisterIt()
    {
        TestSetup.EnsureRegistered();
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 256);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(architecture: "TinyNet", epochs: 1).Fit(train);
        string path = Path.Combine(_directory, "tinynet.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        var test = TestData.Digits(ml, 20, seed: 2);
        CollectionAssert.AreEqual(
            model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(),
            loaded.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray());

        // The example does not register TinyNet.
        var (exitCode, errors) = RunScorer(path, Path.Combine(_directory, "tiny-scores.bin"));
        Assert.AreNotEqual(0, exitCode);
        StringAssert.Contains(errors, "trained with architecture 'TinyNet', which is not registered in this process");
        StringAssert.Contains(errors, "ArchitectureRegistry.Register");
    }

    [TestCategory("Integration")] // a fresh process scores MNIST
    [TestMethod]
    public void AGraphArchitecture_KeepsItsDescriptionInTheZip_AndAFreshProcessScoresItWithoutRegistering()
    {
        TestSetup.EnsureRegistered();
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 256);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(architecture: TestSetup.ResidualGraphName, epochs: 1).Fit(train);
        string path = Path.Combine(_directory, "residual-graph.zip");
        ml.Model.Save(model, train.Schema, path);

        // The example registers nothing: the architecture comes from the description in the .zip.
        string scoresPath = Path.Combine(_directory, "residual-scores.bin");
        var (exitCode, errors) = RunScorer(path, scoresPath);
        Assert.AreEqual(0, exitCode, errors);
        var scores = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(scoresPath)).ToArray();
        var expected = model.Transform(TestData.Test(ml, TestRows)).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        CollectionAssert.AreEqual(expected, scores);
    }

    private static (int ExitCode, string Errors) RunScorer(string modelPath, string scoresPath)
    {
        var (exitCode, _, errors) = TestData.Run(TestData.ScorerAssembly, "score", "--data", TestData.MnistDirectory, "--max-test-rows", TestRows.ToString(), "--scores-out", scoresPath, modelPath);
        return (exitCode, errors);
    }

    private sealed class Digit
    {
        [VectorType(784)] public float[] Features { get; set; }
    }

    private sealed class DigitPrediction
    {
        public string PredictedDigit { get; set; }
        public float[] Score { get; set; }
    }
}
