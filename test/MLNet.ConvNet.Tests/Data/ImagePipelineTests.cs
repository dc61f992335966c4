using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Data;

[TestClass]
public sealed class ImagePipelineTests
{
    private const int TrainRows = 3000, TestRows = 500;
    private static string _root, _modelPath;
    private static MnistData _train, _test;
    private static MulticlassClassificationMetrics _fromPngs, _fromIdx;

    [ClassInitialize]
    public static void ExportSlices(TestContext context)
    {
        _root = TestData.TempDirectory();
        _train = GeneratedDigits.Generate(TrainRows);
        _test = GeneratedDigits.Generate(TestRows, seed: 2);
        MnistPngExporter.Export(_train, Path.Combine(_root, "train"), "train");
        MnistPngExporter.Export(_test, Path.Combine(_root, "test"), "test");

        // One model trained through the image pipeline, shared by the tests below.
        var ml = new MLContext(seed: 1);
        var images = ImageFolder.Load(ml, Path.Combine(_root, "train"));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(images);
        var pipeline = ml.Transforms.ConvNetImageFeatures()
            .Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 3))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(keys.Transform(images));
        _fromPngs = ml.MulticlassClassification.Evaluate(model.Transform(keys.Transform(ImageFolder.Load(ml, Path.Combine(_root, "test")))));
        var convNet = model.OfType<ConvNetTransformer>().Single();
        _fromIdx = ml.MulticlassClassification.Evaluate(convNet.Transform(TestData.Digits(ml, TestRows, seed: 2)));
        _modelPath = Path.Combine(_root, "digits.zip");
        ml.Model.Save(model, images.Schema, _modelPath);
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public void ImageFolder_ListsOneClassPerSubfolder_InAStableOrder()
    {
        var rows = ImageFolder.List(Path.Combine(_root, "test"));
        Assert.AreEqual(TestRows, rows.Count);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), rows.Select(r => r.Label).Distinct().ToArray());
        Assert.AreEqual(_test.Labels.Count(l => l == 7), rows.Count(r => r.Label == "7"));
        Assert.IsTrue(rows.All(r => Path.IsPathFullyQualified(r.ImagePath) && r.ImagePath.EndsWith(".png")));
    }

    [TestMethod]
    public void ImageFolder_WithoutClassFolders_SaysWhatLayoutItExpects()
    {
        string empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(empty);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.List(empty));
        StringAssert.Contains(error.Message, "Expected one subfolder per class");
    }

    [TestMethod]
    public void PngFeatures_AreTheIdxFeatures_BitForBit()
    {
        var ml = new MLContext(1);
        var (pngFeatures, pngLabels) = FeaturesFromPngs(ml, Path.Combine(_root, "test"), invert: false);
        var idx = ml.Data.CreateEnumerable<IdxRow>(TestData.Digits(ml, TestRows, seed: 2), reuseRowObject: false).ToList();
        // The export names files by record index, so the record behind each PNG is known.
        for (int i = 0; i < pngFeatures.Count; i++)
        {
            int record = pngLabels[i].Index;
            CollectionAssert.AreEqual(idx[record].Features, pngFeatures[i], $"Record {record} differs between its PNG and the IDX file.");
        }
    }

    [TestMethod]
    public void Invert_TurnsDarkOnLightIntoMnistsLightOnDark()
    {
        var ml = new MLContext(1);
        var (plain, _) = FeaturesFromPngs(ml, Path.Combine(_root, "test"), invert: false, take: 5);
        var (inverted, _) = FeaturesFromPngs(ml, Path.Combine(_root, "test"), invert: true, take: 5);
        for (int i = 0; i < plain.Count; i++)
        {
            for (int p = 0; p < plain[i].Length; p++)
                Assert.AreEqual(1f - plain[i][p], inverted[i][p], 1e-6f);
        }
    }

    [TestMethod]
    public void ModelTrainedOnPngs_ScoresPngsAndIdxAlike()
    {
        Assert.AreEqual(_fromIdx.MicroAccuracy, _fromPngs.MicroAccuracy, 0.001, "PNG and IDX routes must agree within 0.1 percentage point.");
        Assert.IsTrue(_fromPngs.MicroAccuracy > 0.8, $"Accuracy {_fromPngs.MicroAccuracy:P1} after 3 epochs on 3,000 PNGs.");
    }

    [TestMethod]
    public void LoadedImageModel_PredictsTheDigitFromAPath()
    {
        var ml = new MLContext();
        var engine = ml.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(ml.Model.Load(_modelPath, out _));
        var sample = ImageFolder.List(Path.Combine(_root, "test")).Take(100).ToList();
        int agree = sample.Count(s => engine.Predict(new ImageInput { ImagePath = s.ImagePath }).PredictedLabel == s.Label);
        Assert.IsTrue(agree >= 80, $"Only {agree} of 100 images predicted correctly from their path after loading.");
    }

    [TestCategory("Integration")] // runs DigitPredictor as a process
    [TestMethod]
    public void DigitPredictor_PrintsEachDigitWithTopThree_AndTheModelsAccuracy_AndClearErrors()
    {
        var files = ImageFolder.List(Path.Combine(_root, "test")).Select(r => r.ImagePath).ToList();
        string missing = Path.Combine(_root, "missing.png");
        string notAnImage = Path.Combine(_root, "notes.png");
        File.WriteAllText(notAnImage, "not an image");
        var (exitCode, output, errors) = TestData.Run(TestData.DigitPredictorAssembly, [_modelPath, .. files, missing, notAnImage]);

        Assert.AreEqual(1, exitCode, "Bad files must make the exit code non-zero. " + errors);
        StringAssert.Contains(output, $"{missing}: error: the file does not exist.");
        StringAssert.Contains(output, $"{notAnImage}: error: not an image the model can read");
        // The generated test images take the classes in turn: test-00007.png is a 7, and the model knows it.
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"test-00007\.png: 7 \(top 3: 7 "));
        int correct = (int)Math.Round(_fromPngs.MicroAccuracy * TestRows);
        StringAssert.Contains(output, $"{correct} of {TestRows} images in digit folders predicted as their folder's digit");
    }

    [TestCategory("Integration")] // runs DigitPredictor as a process
    [TestMethod]
    public void DigitPredictor_GivenAModelOfPixelFeatures_SaysItTakesFeaturesNotImagePaths()
    {
        var ml = new MLContext(seed: 1);
        var digits = TestData.Digits(ml, 64);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(digits);
        string path = Path.Combine(_root, "features.zip");
        ml.Model.Save(model, digits.Schema, path);
        string image = ImageFolder.List(Path.Combine(_root, "test")).First().ImagePath;

        var (exitCode, output, errors) = TestData.Run(TestData.DigitPredictorAssembly, path, image);
        Assert.AreEqual(2, exitCode, output + errors);
        StringAssert.Contains(output + errors, $"the model '{path}' takes 'Label' (Key<UInt32, 0-9>), 'Features' (Vector<Single, 784>), not an image path");
        StringAssert.Contains(output + errors, "ConvNetImageFeatures()");
    }

    private static (List<float[]> Features, List<(string Label, int Index)> Labels) FeaturesFromPngs(MLContext ml, string folder, bool invert, int take = int.MaxValue)
    {
        var rows = ImageFolder.List(folder).Take(take).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var features = ml.Transforms.ConvNetImageFeatures(invert: invert).Fit(data).Transform(data).GetColumn<float[]>("Features").ToList();
        var labels = rows.Select(r => (r.Label, int.Parse(Path.GetFileNameWithoutExtension(r.ImagePath).Split('-')[1]))).ToList();
        return (features, labels);
    }

    private sealed class IdxRow
    {
        [VectorType(784)] public float[] Features { get; set; }
    }

    private sealed class ImageInput
    {
        public string ImagePath { get; set; }
    }

    private sealed class ImagePrediction
    {
        public string PredictedLabel { get; set; }
        public float[] Score { get; set; }
    }
}
