using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Layers;
using TorchSharp;
using TorchTensor = TorchSharp.torch.Tensor;

namespace MLNet.ConvNet.Tests.Scoring;

/// <summary>
/// <c>ConvertToOnnx</c> writes the real network, checked by running the exported file with ONNX Runtime and with
/// ML.NET's ApplyOnnxModel against the ConvNet transformer's own scores.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    private const int TestRows = 200;

    public static IEnumerable<object[]> Registered => TestSetup.RegisteredArchitectures;

    [TestMethod]
    [DynamicData(nameof(Registered))]
    public void EveryArchitecture_ExportsTheNetwork_WithTheTransformersScoresAndLabels(string architecture)
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 512);
        var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = 1 })
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel")).Fit(train);
        var test = TestData.Digits(ml, TestRows, seed: 2);
        var scored = model.Transform(test);
        var expectedScores = scored.GetColumn<float[]>("Score").ToArray();
        var expectedKeys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var expectedDigits = scored.GetColumn<string>("PredictedDigit").ToArray();

        // Exported for an input of features alone, as a serving application feeds it: the label is not an input.
        var input = ml.Data.LoadFromEnumerable(new List<Image>());
        using var file = new MemoryStream();
        ml.Model.ConvertToOnnx(model, input, file);
        using var session = new InferenceSession(file.ToArray());
        CollectionAssert.AreEqual(new[] { "Features" }, session.InputMetadata.Keys.ToArray());

        var features = test.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, [TestRows, 784]))]);
        var scores = results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray();
        var keys = results.Single(r => r.Name == "PredictedLabel.output").AsTensor<uint>().ToArray();
        var digits = results.Single(r => r.Name == "PredictedDigit.output").AsTensor<string>().ToArray();
        Assert.AreEqual(TestRows * 10, scores.Length);
        double largest = 0;
        for (int row = 0; row < TestRows; row++)
        {
            for (int c = 0; c < 10; c++)
                largest = Math.Max(largest, Math.Abs(scores[row * 10 + c] - expectedScores[row][c]));
        }
        Assert.IsTrue(largest <= 1e-5, $"The largest score difference is {largest:E2}.");
        CollectionAssert.AreEqual(expectedKeys, keys);
        CollectionAssert.AreEqual(expectedDigits, digits);
    }

    [TestCategory("Integration")] // the full MNIST test set
    [TestMethod]
    public void ApplyOnnxModel_OnTheFullTestSet_HasTheConvNetPipelinesAccuracy()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 2000);
        var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 2 }).Fit(train);
        var test = MnistDataset.Load(ml, TestData.MnistDirectory, MnistSplit.Test);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));

        string path = Path.Combine(TestData.TempDirectory(), "lenot.onnx");
        using (var file = File.Create(path))
            ml.Model.ConvertToOnnx(model, test, file);
        var onnx = ml.Transforms.ApplyOnnxModel(["PredictedLabel.output"], ["Label", "Features"], path).Fit(test).Transform(test);
        var labels = onnx.GetColumn<uint>("Label").ToArray();
        // ApplyOnnxModel names its columns after the graph's outputs without ML.NET's ".output" suffix.
        var predicted = onnx.GetColumn<uint[]>("PredictedLabel").Select(p => p.Single()).ToArray();
        Assert.AreEqual(10_000, labels.Length);
        double accuracy = labels.Zip(predicted).Count(p => p.First == p.Second) / (double)labels.Length;
        Assert.AreEqual(metrics.MicroAccuracy, accuracy, 1e-12, "ONNX Runtime and libtorch disagree on some predictions");
        File.Delete(path);
    }

    [TestMethod]
    public void MLNetsOwnTransforms_AroundTheConvNet_ExportToo()
    {
        var ml = new MLContext(seed: 1);
        var digits = GeneratedDigits.Generate(600);
        var rows = Enumerable.Range(0, 600).Select(i => new TextDigit
        {
            Digit = digits.Labels[i].ToString(),
            Pixels = digits.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => (float)p).ToArray(),
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.NormalizeMinMax("Features", "Pixels"))
            .Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 1))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel"))
            .Fit(data);
        var expected = model.Transform(data).GetColumn<string>("PredictedDigit").Take(100).ToArray();

        using var file = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, file);
        using var session = new InferenceSession(file.ToArray());
        var pixels = rows.Take(100).SelectMany(r => r.Pixels).ToArray();
        var labels = rows.Take(100).Select(r => r.Digit).ToArray();
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("Digit", new DenseTensor<string>(labels, [100, 1])),
            NamedOnnxValue.CreateFromTensor("Pixels", new DenseTensor<float>(pixels, [100, 784])),
        ]);
        CollectionAssert.AreEqual(expected, results.Single(r => r.Name == "PredictedDigit.output").AsTensor<string>().ToArray());
    }

    [TestMethod]
    public void ALayerTypeWithoutAnOnnxForm_MakesTheExportFail_NamingTheLayerAndTheArchitecture()
    {
        ArchitectureRegistry.Register(new WithCustomLayer(), replace: true);
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 64);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "WithCustomLayer", Epochs = 1 }).Fit(train);
        using var file = new MemoryStream();
        var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.ConvertToOnnx(model, train, file));
        StringAssert.Contains(error.Message, "Architecture 'WithCustomLayer' cannot be exported to ONNX. Layer 'halve' (Halve) has no ONNX form");
    }

    [TestMethod]
    public void FeaturesFromImageFiles_AreNotExportable_AndTheErrorSaysWhatToDo()
    {
        var ml = new MLContext(seed: 1);
        string folder = TestData.TempDirectory();
        MnistPngExporter.Export(GeneratedDigits.Generate(20, seed: 2), folder, "test");
        var images = ImageFolder.Load(ml, folder);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.ConvNetImageFeatures())
            .Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 1))
            .Fit(images);
        using var file = new MemoryStream();
        var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.ConvertToOnnx(model, images, file));
        StringAssert.Contains(error.Message, "features column 'Features' is computed by a step that ML.NET cannot export to ONNX");
        Directory.Delete(folder, recursive: true);
    }

    private sealed class Image
    {
        [VectorType(784)]
        public float[] Features { get; set; }
    }

    private sealed class TextDigit
    {
        public string Digit { get; set; }

        [VectorType(784)]
        public float[] Pixels { get; set; }
    }

    private sealed class WithCustomLayer : ConvNetArchitecture
    {
        public override string Name => "WithCustomLayer";
        public override ImageShape InputShape => new(1, 28, 28);
        public override int DefaultEpochs => 1;
        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
            [new Halve(), new Flatten(), new Dense(numberOfClasses) { Activation = Activation.Softmax }];
    }

    /// <summary>A layer type of a user's own: it trains and scores, and has no ONNX form.</summary>
    private sealed class Halve : LayerSpec
    {
        public override string TypeName => "Halve";
        public override string NamePrefix => "halve";
        public override torch.nn.Module<TorchTensor, TorchTensor> Build(long[] inputShape) => new HalveModule();

        private sealed class HalveModule() : torch.nn.Module<TorchTensor, TorchTensor>("halve")
        {
            public override TorchTensor forward(TorchTensor input) => input * 0.5f;
        }
    }
}
