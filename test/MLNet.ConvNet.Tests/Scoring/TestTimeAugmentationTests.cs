using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Scoring;

/// <summary>Test-time augmentation: the scores are the mean of the image's and its mirror's, saved in the model, and refused by the ONNX export.</summary>
[TestClass]
public sealed class TestTimeAugmentationTests
{
    private sealed class Row
    {
        [KeyType(10)]
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; }
    }

    [TestMethod]
    public void AFlipAveragedModel_ScoresTheMeanOfTheImageAndItsMirror_AndKeepsItThroughSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 200);
        ConvNetTransformer Train(TestTimeAugmentation testTime) => ml.MulticlassClassification.Trainers.ConvNet(
            new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, Seed = 6, TestTimeAugmentation = testTime }).Fit(train);
        using var averaged = Train(TestTimeAugmentation.HorizontalFlip);
        using var plain = Train(TestTimeAugmentation.None);
        CollectionAssert.AreEqual(TestData.Weights(plain), TestData.Weights(averaged), "training does not depend on it");
        Assert.AreEqual(TestTimeAugmentation.HorizontalFlip, averaged.Model.TestTimeAugmentation);

        var images = TestData.Digits(ml, 8, seed: 3).GetColumn<float[]>("Features").ToArray();
        var rows = images.Select(f => new Row { Label = 1, Features = f }).ToArray();
        var mirrored = images.Select(f => new Row { Label = 1, Features = Mirror(f) }).ToArray();
        float[][] Scores(ITransformer model, Row[] data) => model.Transform(ml.Data.LoadFromEnumerable(data)).GetColumn<float[]>("Score").ToArray();
        var asIs = Scores(plain, rows);
        var flipped = Scores(plain, mirrored);
        var mean = Scores(averaged, rows);
        for (int i = 0; i < rows.Length; i++)
        {
            for (int k = 0; k < 10; k++)
                Assert.AreEqual((asIs[i][k] + flipped[i][k]) / 2, mean[i][k], 1e-6, $"image {i}, class {k}");
        }
        CollectionAssert.AreNotEqual(asIs[0], mean[0], "digits are not symmetric: the mean differs");

        string path = Path.Combine(TestData.TempDirectory(), "flip.zip");
        ml.Model.Save(averaged, ml.Data.LoadFromEnumerable(rows).Schema, path);
        var loaded = (ConvNetTransformer)ml.Model.Load(path, out _);
        Assert.AreEqual(TestTimeAugmentation.HorizontalFlip, loaded.Model.TestTimeAugmentation);
        var reloaded = Scores(loaded, rows);
        for (int i = 0; i < rows.Length; i++)
            CollectionAssert.AreEqual(mean[i], reloaded[i]);
        StringAssert.Contains(loaded.Model.TrainingSettings, "scored with test-time augmentation HorizontalFlip");
        loaded.Dispose();
        File.Delete(path);
    }

    [TestMethod]
    public void TheOnnxExport_RefusesAFlipAveragedModel_SayingWhy()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 100);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip }).Fit(train);
        using var stream = new MemoryStream();
        var error = Assert.Throws<Exception>(() => ml.Model.ConvertToOnnx(model, train, stream));
        while (error is not NotSupportedException && error.InnerException is not null)
            error = error.InnerException;
        StringAssert.Contains(error.Message, "averages its scores over each image and its mirror (TestTimeAugmentation.HorizontalFlip)");
    }

    /// <summary>A 28x28 image mirrored left to right.</summary>
    private static float[] Mirror(float[] image)
    {
        var mirrored = new float[image.Length];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                mirrored[y * 28 + x] = image[y * 28 + 27 - x];
        return mirrored;
    }
}
