using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>Any image size: the shape comes from the data or the options, and the built-in architectures are templates over it.</summary>
[TestClass]
public sealed class InputShapeTests
{
    [TestMethod]
    public void SimpleConvNet_At3x32x32_HasKerasParameterCounts()
    {
        // Keras: Conv2D(16) on 3 channels: 3*3*3*16 + 16; the flatten is 64 x 4 x 4 after 32 -> 30 -> 15 -> 13 -> 6 -> 4.
        string summary = ArchitectureRegistry.Get("SimpleConvNet").GetSummary(10, new ImageShape(3, 32, 32));
        StringAssert.Contains(summary, "conv2d (Conv2D)                 (None, 16, 30, 30)                 448");
        StringAssert.Contains(summary, "flatten (Flatten)               (None, 1024)                         0");
        StringAssert.Contains(summary, "dense (Dense)                   (None, 64)                      65,600");
        StringAssert.Contains(summary, $"Total params: {448 + 4_640 + 18_496 + 65_600 + 650:N0}");
        StringAssert.Contains(ArchitectureRegistry.Get("SimpleConvNet").GetSummary(), "Total params: 60,874");
        StringAssert.Contains(ArchitectureRegistry.Get("LeNot").GetSummary(), "Total params: 61,706");
    }

    [TestMethod]
    [DataRow("SimpleConvNet", 3, 32, 32)]
    [DataRow("SimpleConvNet", 1, 64, 36)]
    [DataRow("SimpleConvNet", 3, 64, 64)]
    [DataRow("LeNot", 3, 32, 32)]
    [DataRow("LeNot", 1, 64, 36)]
    [DataRow("LeNot", 3, 64, 64)]
    public void BuiltInArchitectures_TrainSaveAndLoad_AtOtherShapes(string architecture, int channels, int height, int width)
    {
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(channels, height, width);
        var data = Noise(ml, shape, rows: 48);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = 1, InputShape = shape }).Fit(data);
        Assert.AreEqual(shape, model.Model.InputShape);
        using var file = new MemoryStream();
        ml.Model.Save(model, data.Schema, file);
        file.Position = 0;
        var loaded = (ConvNetTransformer)ml.Model.Load(file, out _);
        Assert.AreEqual(shape, loaded.Model.InputShape);
        CollectionAssert.AreEqual(model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(),
            loaded.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray());
    }

    [TestMethod]
    public void ImagesTooSmall_NameTheLayer_AndTheSmallestInputThatFits()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ArchitectureRegistry.Get("SimpleConvNet").GetSummary(10, new ImageShape(1, 10, 10)));
        StringAssert.Contains(error.Message, "of architecture 'SimpleConvNet', on 1x10x10 images,");
        StringAssert.Contains(error.Message, "The smallest square input it takes is 1x18x18.");
        Assert.IsFalse(error.Message.Contains("Exception raised from"), "libtorch's backtrace stays out of the message: " + error.Message);
        // 18x18 does fit, 17x17 does not: the search is exact.
        Assert.IsNotNull(ArchitectureRegistry.Get("SimpleConvNet").GetSummary(10, new ImageShape(1, 18, 18)));
        Assert.ThrowsExactly<ArgumentException>(() => ArchitectureRegistry.Get("SimpleConvNet").GetSummary(10, new ImageShape(1, 17, 17)));
    }

    [TestMethod]
    public void TheShape_ComesFromTheColumnsDimensions_WithNoOption()
    {
        var ml = new MLContext(seed: 1);
        var data = ColouredShapes.Load(ml, 60, new ImageShape(3, 24, 24));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(keyed);
        Assert.AreEqual(new ImageShape(3, 24, 24), model.Model.InputShape);
    }

    [TestMethod]
    public void AFlatVectorOfAnotherSize_IsRefused_WithTheRouteForward_AndScoringSaysTheModelsShape()
    {
        var ml = new MLContext(seed: 1);
        var flat = Noise(ml, new ImageShape(1, 14, 14), rows: 32, carryShape: false);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet(architecture: "LeNot", epochs: 1).Fit(flat));
        StringAssert.Contains(error.Message, "Schema mismatch for feature column 'Features': expected known-size vector of Single with 784 items (1x28x28 images), got Vector<Single, 196>.");
        StringAssert.Contains(error.Message, "set ConvNetTrainer.Options.InputShape");

        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, InputShape = new ImageShape(1, 14, 14) }).Fit(flat);
        var scoring = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(TestData.Digits(ml, 5, seed: 2)));
        StringAssert.Contains(scoring.Message, "expected known-size vector of Single with 196 items (1x14x14 images), got Vector<Single, 784>. This model was trained on 1x14x14 images");
    }

    [TestMethod]
    public void ColourAndShape_AreBothLearned_OnTheGeneratedRgbTask()
    {
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(3, 32, 32);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        var train = ColouredShapes.Load(ml, 1200, shape, seed: 1);
        var mapping = keys.Fit(train);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "SimpleConvNet", Epochs = 10, BatchSize = 32 }).Fit(mapping.Transform(train));
        var test = mapping.Transform(ColouredShapes.Load(ml, 300, shape, seed: 2));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        // Every class is told from the one that differs from it only by colour and the one that differs only by shape.
        for (int c = 0; c < ColouredShapes.ClassNames.Count; c++)
            Assert.IsTrue(metrics.PerClassLogLoss[c] < 0.5, $"{ColouredShapes.ClassNames[c]}: log-loss {metrics.PerClassLogLoss[c]:F3}; confusion:\n{metrics.ConfusionMatrix.GetFormattedConfusionTable()}");
        Assert.IsTrue(metrics.MicroAccuracy > 0.9, $"accuracy {metrics.MicroAccuracy:P1}\n{metrics.ConfusionMatrix.GetFormattedConfusionTable()}");
    }

    [TestMethod]
    [DataRow(3, 64, 64)]
    [DataRow(1, 64, 36)]
    public void ImageFiles_TrainThroughImageAnalytics_AtTheShapeTheFeaturesCarry(int channels, int height, int width)
    {
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(channels, height, width);
        string folder = TestData.TempDirectory();
        var files = new ImageShape(3, 64, 64);
        ColouredShapes.ExportPng(ColouredShapes.Generate(60, files), files, folder);
        // As docs/data.md: the label's mapping applied to the data, not saved, so the model takes nothing but a path.
        var images = ImageFolder.Load(ml, folder);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(images);
        var pipeline = ml.Transforms.ConvNetImageFeatures(shape)
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "SimpleConvNet", Epochs = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(keys.Transform(images));
        Assert.AreEqual(shape, model.GetConvNet().Model.InputShape);
        Assert.AreEqual(60, model.Transform(keys.Transform(images)).GetColumn<float[]>("Score").Count());

        string path = Path.Combine(folder, "shapes.zip");
        ml.Model.Save(model, images.Schema, path);
        var engine = ml.Model.CreatePredictionEngine<ImagePathInput, ClassPrediction>(ml.Model.Load(path, out _));
        var prediction = engine.Predict(new ImagePathInput { ImagePath = ImageFolder.List(folder).First().ImagePath });
        CollectionAssert.Contains(ColouredShapes.ClassNames.ToList(), prediction.PredictedLabel);
        Assert.AreEqual(ColouredShapes.ClassNames.Count, prediction.Score.Length);
        Directory.Delete(folder, recursive: true);
    }

    private static IDataView Noise(MLContext ml, ImageShape shape, int rows, bool carryShape = true)
    {
        var random = new Random(3);
        var list = Enumerable.Range(0, rows).Select(i => new Row
        {
            Label = (uint)(i % 3), // LoadFromEnumerable takes key values 0-based
            Features = Enumerable.Range(0, shape.Size).Select(_ => (float)random.NextDouble()).ToArray(),
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), 3);
        schema[nameof(Row.Features)].ColumnType = carryShape
            ? new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width)
            : new VectorDataViewType(NumberDataViewType.Single, shape.Size);
        return ml.Data.LoadFromEnumerable(list, schema);
    }

    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; }
    }

    private sealed class ImagePathInput
    {
        public string ImagePath { get; set; }
    }

    private sealed class ClassPrediction
    {
        public string PredictedLabel { get; set; }

        public float[] Score { get; set; }
    }
}
