using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>The bad-input matrix: each case ends in one clear exception that says what was expected and what was found.</summary>
[TestClass]
public sealed class BadInputTests
{
    private sealed class Row
    {
        public uint Label { get; set; }
        [VectorType(784)] public float[] Features { get; set; }
    }

    private sealed class UnknownSizeRow
    {
        public uint Label { get; set; }
        public float[] Features { get; set; }
    }

    private sealed class NoLabelRow
    {
        [VectorType(784)] public float[] Features { get; set; }
    }

    private static IDataView Keyed<T>(MLContext ml, IEnumerable<T> rows) where T : class
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    private static IEnumerable<Row> Rows(int count, Func<int, float> pixel = null) =>
        Enumerable.Range(0, count).Select(i => new Row { Label = (uint)(i % 3), Features = Enumerable.Range(0, 784).Select(p => pixel?.Invoke(i) ?? 0.5f).ToArray() });

    [TestMethod]
    public void FeaturesOfUnknownSize_AreASchemaMismatch()
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, [new UnknownSizeRow { Label = 1, Features = new float[784] }, new UnknownSizeRow { Label = 2, Features = new float[784] }]);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet().Fit(data));
        StringAssert.Contains(error.Message, "expected known-size vector of Single with 784 items");
        StringAssert.Contains(error.Message, "got Vector<Single>");
    }

    [TestMethod]
    public void MissingLabel_NamesTheColumnsThereAre()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new NoLabelRow { Features = new float[784] } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet().Fit(data));
        StringAssert.Contains(error.Message, "Could not find label column 'Label'");
        StringAssert.Contains(error.Message, "'Features'");
    }

    [TestMethod]
    [DataRow(float.NaN, "NaN")]
    [DataRow(float.PositiveInfinity, "∞")]
    public void NonFinitePixels_InTraining_NameTheRowAndTheValue(float value, string shown)
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, Rows(10, i => i == 7 ? value : 0.5f));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(data));
        StringAssert.Contains(error.Message, "Row 7 of column 'Features' has");
        StringAssert.Contains(error.Message, "features must be finite numbers");
    }

    [TestMethod]
    public void NonFinitePixels_InScoring_NameTheRow_InTransformAndPredictionEngine()
    {
        var ml = new MLContext(1);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(TestData.Digits(ml, 128));
        var bad = Keyed(ml, Rows(5, i => i == 3 ? float.NaN : 0.1f));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => model.Transform(bad).GetColumn<float[]>("Score").ToList());
        StringAssert.Contains(error.Message, "Row 3 of column 'Features' has NaN");

        var engine = ml.Model.CreatePredictionEngine<Row, Scored>(model);
        var single = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(new Row { Features = Enumerable.Repeat(float.NaN, 784).ToArray() }));
        StringAssert.Contains(single.Message, "features must be finite numbers");
    }

    [TestMethod]
    public void EmptyTrainingSet_SaysItNeedsRows()
    {
        var ml = new MLContext(1);
        var empty = ml.Data.SkipRows(TestData.Digits(ml, 10), 10);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(empty));
        StringAssert.Contains(error.Message, "has no rows with a label");
    }

    [TestMethod]
    public void NoRows_ThroughMapValueToKey_SaysThereAreNoRows_NotHowManyKeys()
    {
        var ml = new MLContext(1);
        var empty = ml.Data.LoadFromEnumerable(new List<TextDigit>());
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 1));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => pipeline.Fit(empty));
        StringAssert.Contains(error.Message, "The training data has no rows (so the label column 'Label' has no classes).");
    }

    [TestMethod]
    public void OneClassOnly_SaysWhichClass_AndThatItNeedsTwo()
    {
        var ml = new MLContext(1);
        var sevens = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(_ => new TextDigit { Label = "7", Features = new float[784] }).ToList());
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 1));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => pipeline.Fit(sevens));
        StringAssert.Contains(error.Message, "The label column 'Label' has only one class ('7') in 5 rows; a classifier needs at least two.");
    }

    private sealed class TextDigit
    {
        public string Label { get; set; }

        [Microsoft.ML.Data.VectorType(784)]
        public float[] Features { get; set; }
    }

    [TestMethod]
    public void FewerRowsThanOneBatch_StillTrains()
    {
        var ml = new MLContext(1);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 2, batchSize: 128).Fit(TestData.Digits(ml, 10));
        Assert.AreEqual(2, model.History.Count);
        Assert.IsTrue(model.History.All(h => double.IsFinite(h.Loss)));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-3)]
    public void EpochsOutOfRange_AreRefusedAtTheCatalogCall(int epochs)
    {
        var ml = new MLContext(1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet(epochs: epochs));
        StringAssert.Contains(error.Message, $"Epochs must be at least 1 (or null for the architecture's default); got {epochs}");
    }

    [TestMethod]
    public void ImageFilesThatAreMissingOrNotImages_NameTheRowAndTheCause()
    {
        var ml = new MLContext(1);
        string directory = TestData.TempDirectory();
        try
        {
            string notAnImage = Path.Combine(directory, "notes.png");
            File.WriteAllText(notAnImage, "not an image");
            string missing = Path.Combine(directory, "missing.png");
            foreach (var (path, cause) in new[] { (missing, $"The image file '{missing}' (row 0 of column 'ImagePath') cannot be read: Could not find file"), (notAnImage, $"The image file '{notAnImage}' cannot be used: it is not an image") })
            {
                var rows = ml.Data.LoadFromEnumerable(new[] { new ImageFolder.LabelledImage { Label = "1", ImagePath = path }, new ImageFolder.LabelledImage { Label = "2", ImagePath = path } });
                var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);
                var pipeline = ml.Transforms.ConvNetImageFeatures().Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 1));
                var error = Assert.ThrowsExactly<InvalidOperationException>(() => pipeline.Fit(keyed));
                StringAssert.Contains(error.Message, "Reading row 0 of the data failed");
                StringAssert.Contains(error.Message, cause);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class Scored
    {
        public float[] Score { get; set; }
    }
}
