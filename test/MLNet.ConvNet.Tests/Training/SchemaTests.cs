using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Training;

[TestClass]
public sealed class SchemaTests
{
    private sealed class SmallFeatures
    {
        public uint Label { get; set; }
        [VectorType(100)] public float[] Features { get; set; }
    }

    private sealed class DoubleFeatures
    {
        public uint Label { get; set; }
        [VectorType(784)] public double[] Features { get; set; }
    }

    private sealed class FloatLabel
    {
        public float Label { get; set; }
        [VectorType(784)] public float[] Features { get; set; }
    }

    [TestMethod]
    public void Fit_WithWrongFeatureSize_ThrowsSchemaMismatch()
    {
        var ml = new MLContext(1);
        var data = ml.Transforms.Conversion.MapValueToKey("Label")
            .Fit(ml.Data.LoadFromEnumerable(new[] { new SmallFeatures { Label = 1, Features = new float[100] } }))
            .Transform(ml.Data.LoadFromEnumerable(new[] { new SmallFeatures { Label = 1, Features = new float[100] } }));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet().Fit(data));
        StringAssert.Contains(error.Message, "Schema mismatch for feature column 'Features': expected known-size vector of Single with 784 items (1x28x28 images), got Vector<Single, 100>");
    }

    [TestMethod]
    public void Fit_WithDoubleFeatures_ThrowsSchemaMismatch()
    {
        var ml = new MLContext(1);
        var rows = new[] { new DoubleFeatures { Label = 1, Features = new double[784] } };
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet().Fit(data));
        StringAssert.Contains(error.Message, "Schema mismatch for feature column 'Features'");
        StringAssert.Contains(error.Message, "got Vector<Double, 784>");
    }

    [TestMethod]
    public void Fit_WithNonKeyLabel_ThrowsSchemaMismatchThatSuggestsMapValueToKey()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new FloatLabel { Label = 1, Features = new float[784] } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet().Fit(data));
        StringAssert.Contains(error.Message, "Schema mismatch for label column 'Label': expected key type");
        StringAssert.Contains(error.Message, "MapValueToKey");
        StringAssert.Contains(error.Message, "got Single");
    }

    [TestMethod]
    public void Fit_WithMissingColumn_ListsTheColumnsThereAre()
    {
        var ml = new MLContext(1);
        var data = TestData.Digits(ml, 10);
        var trainer = ml.MulticlassClassification.Trainers.ConvNet(featureColumnName: "Pixels");
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        StringAssert.Contains(error.Message, "Could not find feature column 'Pixels'");
        StringAssert.Contains(error.Message, "'Label', 'Features'");
    }

    [TestMethod]
    public void GetOutputSchema_AddsScoreAndPredictedLabel_AndChecksTheInput()
    {
        var ml = new MLContext(1);
        var data = TestData.Digits(ml, 10);
        // SchemaShape.Create is internal to ML.NET; estimator chains call it the same way.
        var input = (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, [typeof(DataViewSchema)]).Invoke(null, [data.Schema]);
        var shape = ml.MulticlassClassification.Trainers.ConvNet().GetOutputSchema(input);
        var score = shape.Single(c => c.Name == "Score");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.IsTrue(shape.Single(c => c.Name == "PredictedLabel").IsKey);
    }

    [TestMethod]
    [DataRow(0, "BatchSize")]
    [DataRow(-5, "BatchSize")]
    public void Options_OutOfRange_AreRefusedAtTheCatalogCall(int batchSize, string option)
    {
        var ml = new MLContext(1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet(batchSize: batchSize));
        StringAssert.Contains(error.Message, $"{option} must be at least 1; got {batchSize}");
    }

    [TestMethod]
    public void Options_UnknownArchitecture_ListsTheKnownOnes()
    {
        var ml = new MLContext(1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.ConvNet(architecture: "AlexNet"));
        // Other tests register more architectures, so only these two are sure to be listed.
        StringAssert.Contains(error.Message, "Known architectures: ");
        StringAssert.Contains(error.Message, "LeNot");
        StringAssert.Contains(error.Message, "SimpleConvNet");
    }
}
