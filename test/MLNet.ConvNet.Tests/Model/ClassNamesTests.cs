using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Model;

/// <summary>ClassNames gives each Score slot's class as text, from text or numeric labels, and survives a save and load.</summary>
[TestClass]
public sealed class ClassNamesTests
{
    [TestMethod]
    public void ClassNames_AreTheLabelsKeyValues_InSlotOrder_AndSurviveSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var digits = TestData.Digits(ml, 40);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(digits);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), model.ClassNames.ToArray());

        string path = Path.Combine(TestData.TempDirectory(), "m.zip");
        ml.Model.Save(model, digits.Schema, path);
        using var loaded = (ConvNetTransformer)ml.Model.Load(path, out _);
        CollectionAssert.AreEqual(model.ClassNames.ToArray(), loaded.ClassNames.ToArray());
    }

    [TestMethod]
    public void NumericLabels_GiveTheirValuesAsInvariantText()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 24).Select(i => new Row { Label = i % 2 == 0 ? 2.5f : 7f, Features = new float[784] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data).Transform(data);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(keyed);
        CollectionAssert.AreEqual(new[] { "2.5", "7" }, model.ClassNames.ToArray());
    }

    private sealed class Row
    {
        public float Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; }
    }
}
