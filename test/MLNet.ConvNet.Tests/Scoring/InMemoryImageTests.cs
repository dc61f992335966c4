using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet.Data;
using static MLNet.ConvNet.Tests.Scoring.FileScoring;

namespace MLNet.ConvNet.Tests.Scoring;

/// <summary>
/// Images that arrive as bytes (a web request) are scored by <see cref="ImageScoring.ForInMemoryImages"/> exactly as the
/// model scores the same image files, for image-path and features models, gray and RGB.
/// </summary>
[TestClass]
public sealed class InMemoryImageTests
{
    private static string _root;

    [ClassInitialize]
    public static void ExportImages(TestContext context)
    {
        _root = TestData.TempDirectory();
        MnistPngExporter.Export(GeneratedDigits.Generate(200, seed: 3), Path.Combine(_root, "digits"), "digit");
        var shape = new ImageShape(3, 40, 48);
        ColouredShapes.ExportPng(ColouredShapes.Generate(60, shape, seed: 1), shape, Path.Combine(_root, "shapes"));
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public void Decode_RefusesEmptyTruncatedAndNonImageBytes_SayingWhichItIs()
    {
        byte[] png = File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(_root, "digits"), "*.png", SearchOption.AllDirectories).First());
        using (var image = ImageBytes.Decode(png))
            Assert.AreEqual((28, 28), (image.Width, image.Height));

        var empty = Assert.ThrowsExactly<InvalidDataException>(() => ImageBytes.Decode([]));
        StringAssert.StartsWith(empty.Message, "The image cannot be used: ");
        StringAssert.Contains(empty.Message, "empty");
        var text = Assert.ThrowsExactly<InvalidDataException>(() => ImageBytes.Decode("hello, this is not an image"u8.ToArray()));
        StringAssert.Contains(text.Message, "not an image");
        var truncated = Assert.ThrowsExactly<InvalidDataException>(() => ImageBytes.Decode(png[..(png.Length / 2)]));
        StringAssert.Contains(truncated.Message, "truncated");
        Assert.ThrowsExactly<ArgumentNullException>(() => ImageBytes.Decode(null));
    }

    [TestMethod]
    public void AnImagePathModel_WithALabelStepInFront_ScoresImagesInMemory_AsItScoresTheirFiles()
    {
        var ml = new MLContext(seed: 1);
        var files = ImageFolder.Load(ml, Path.Combine(_root, "digits"));
        // The usual ML.NET shape: the label's MapValueToKey first, which a request (no label) cannot run.
        var trained = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.ConvNetImageFeatures())
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(files);
        var loaded = SaveAndLoad(ml, trained, files.Schema);

        var paths = files.GetColumn<string>("ImagePath").ToList();
        var expected = ScoreFiles<Labelled>(loaded, paths);
        var actual = ScoreInMemory<Labelled>(loaded.ForInMemoryImages(), paths);
        AssertSameScores(expected.Select(e => e.Score).ToList(), actual.Select(a => a.Score).ToList());
        CollectionAssert.AreEqual(expected.Select(e => e.PredictedLabel).ToList(), actual.Select(a => a.PredictedLabel).ToList());
    }

    [TestMethod]
    public void AFeaturesModel_ScoresImagesInMemory_AsItScoresTheFeaturesOfTheirFiles()
    {
        var ml = new MLContext(seed: 1);
        var model = SaveAndLoad(ml, TrainedModels.LeNot, TrainedModels.Training.Schema);
        var files = ImageFolder.Load(ml, Path.Combine(_root, "digits"));
        var paths = files.GetColumn<string>("ImagePath").ToList();
        var fromFiles = new TransformerChain<ITransformer>(ml.Transforms.ConvNetImageFeatures().Fit(files), model);
        var expected = ScoreFiles<Scored>(fromFiles, paths).Select(e => e.Score).ToList();
        var actual = ScoreInMemory<Scored>(model.ForInMemoryImages(), paths);
        AssertSameScores(expected, actual.Select(a => a.Score).ToList());
    }

    [TestMethod]
    public void AnRgbNonSquareFeaturesModel_ScoresImagesInMemory_AsItScoresTheFeaturesOfTheirFiles()
    {
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(3, 40, 48);
        var files = ImageFolder.Load(ml, Path.Combine(_root, "shapes"));
        var loadFeatures = ml.Transforms.ConvNetImageFeatures(shape).Fit(files);
        var features = loadFeatures.Transform(files);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(features).Transform(features);
        var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1, InputShape = shape }).Fit(keyed);

        var paths = files.GetColumn<string>("ImagePath").ToList();
        var expected = ScoreFiles<Scored>(new TransformerChain<ITransformer>(loadFeatures, model), paths).Select(e => e.Score).ToList();
        var actual = ScoreInMemory<Scored>(model.ForInMemoryImages(), paths);
        AssertSameScores(expected, actual.Select(a => a.Score).ToList());
    }

    [TestMethod]
    public void AModelThatLoadsItsImagesWithLoadImages_OrHasNoConvNet_IsRefusedSayingWhy()
    {
        var ml = new MLContext(seed: 1);
        var files = ImageFolder.Load(ml, Path.Combine(_root, "digits"));
        var old = ml.Transforms.LoadImages("Image", Path.Combine(_root, "digits"), "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 28, 28))
            .Append(ml.Transforms.ConvertToGrayscale("Image"))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 }))
            .Fit(files);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => old.ForInMemoryImages());
        StringAssert.Contains(error.Message, "LoadImages");
        StringAssert.Contains(error.Message, "ConvNetImageFeatures");

        var noNetwork = ml.Transforms.Conversion.MapValueToKey("Label").Fit(files);
        Assert.ThrowsExactly<InvalidOperationException>(() => noNetwork.ForInMemoryImages());
        Assert.ThrowsExactly<ArgumentNullException>(() => ImageScoring.ForInMemoryImages(null));
    }

    [TestMethod]
    public void AShapeOfOtherThanOneOrThreeChannels_IsRefusedFromFilesAndFromMemory()
    {
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(2, 28, 28);
        foreach (Action build in new Action[] { () => ml.Transforms.ConvNetImageFeatures(shape), () => ml.Transforms.ConvNetImagePixels(shape, ImageScoring.ImageColumnName) })
        {
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(build);
            StringAssert.Contains(error.Message, "Images have 1 (grayscale) or 3 (RGB) channels; got 2.");
        }
    }

    private static void AssertSameScores(List<float[]> expected, List<float[]> actual)
    {
        Assert.AreEqual(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"image {i}");
    }
}
