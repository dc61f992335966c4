using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Tasks;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>
/// <c>EvaluateMultiLabel</c> against figures worked by hand with scikit-learn's definitions, and the tags' way
/// through the training rows: in memory and streamed, each row's tags stay with its image.
/// </summary>
[TestClass]
public sealed class MultiLabelMetricsTests
{
    private sealed class Scored
    {
        [VectorType(2)] public bool[] Label { get; set; }

        [VectorType(2)] public float[] Score { get; set; }

        [VectorType(2)] public bool[] PredictedLabels { get; set; }
    }

    [TestMethod]
    public void EvaluateMultiLabel_GivesTheHandWorkedFigures()
    {
        // Tag 0: labels 1 0 1 0, scores .9 .4 .3 .2, predicted T F F F. Tag 1: labels 1 1 0 0, scores .8 .8 .8 .1, predicted T T T F.
        var ml = new MLContext(1);
        var rows = new List<Scored>
        {
            new() { Label = [true, true], Score = [0.9f, 0.8f], PredictedLabels = [true, true] },
            new() { Label = [false, true], Score = [0.4f, 0.8f], PredictedLabels = [false, true] },
            new() { Label = [true, false], Score = [0.3f, 0.8f], PredictedLabels = [false, true] },
            new() { Label = [false, false], Score = [0.2f, 0.1f], PredictedLabels = [false, false] },
        };
        var metrics = ml.MulticlassClassification.EvaluateMultiLabel(ml.Data.LoadFromEnumerable(rows));
        Assert.AreEqual(4, metrics.Images);
        var (a, b) = (metrics.PerTag[0], metrics.PerTag[1]);
        Assert.AreEqual(("0", 2L), (a.Tag, a.Positives));
        Assert.AreEqual(0.75, a.Auc, 1e-12, "3 of 4 pairs ordered");
        Assert.AreEqual(0.75, b.Auc, 1e-12, "two ties count half each");
        Assert.AreEqual((1.0, 0.5, 2.0 / 3), (a.Precision, a.Recall, a.F1));
        Assert.AreEqual(2.0 / 3, b.Precision, 1e-12);
        Assert.AreEqual((1.0, 0.8), (b.Recall, b.F1));
        Assert.AreEqual(0.75, metrics.MicroF1, 1e-12, "TP 3, FP 1, FN 1");
        Assert.AreEqual((0.75, 0.75), (metrics.MicroPrecision, metrics.MicroRecall));
        Assert.AreEqual((2.0 / 3 + 0.8) / 2, metrics.MacroF1, 1e-12);
        Assert.AreEqual(0.75, metrics.MacroAuc, 1e-12);
        Assert.AreEqual(0.25, metrics.HammingLoss, 1e-12, "2 of 8 pairs wrong");
        Assert.AreEqual(0.75, metrics.SubsetAccuracy, 1e-12, "row 2 has a wrong tag");
    }

    [TestMethod]
    public void ATagEveryImageHas_HasNoAuc_AndTheMacroAucLeavesItOut()
    {
        var ml = new MLContext(1);
        var rows = new List<Scored>
        {
            new() { Label = [true, true], Score = [0.9f, 0.2f], PredictedLabels = [true, false] },
            new() { Label = [true, false], Score = [0.8f, 0.1f], PredictedLabels = [true, false] },
        };
        var metrics = ml.MulticlassClassification.EvaluateMultiLabel(ml.Data.LoadFromEnumerable(rows));
        Assert.IsTrue(double.IsNaN(metrics.PerTag[0].Auc));
        Assert.AreEqual(1.0, metrics.PerTag[1].Auc);
        Assert.AreEqual(1.0, metrics.MacroAuc);
        Assert.AreEqual(0.0, metrics.PerTag[1].F1, "no true positive: 0, scikit-learn's default");
    }

    [TestMethod]
    public void EvaluateMultiLabel_RefusesColumnsOfAnotherTypeOrSize()
    {
        var ml = new MLContext(1);
        var data = TagData.Load(ml, 5);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.EvaluateMultiLabel(data));
        StringAssert.Contains(error.Message, "Schema mismatch for score column 'Score'");
    }

    [TestMethod]
    public void EachRowsTags_StayWithItsImage_InMemoryAndStreamed()
    {
        var ml = new MLContext(1);
        var data = TagData.Load(ml, 300);
        var task = new MultiLabelClassificationTask(0.5f, false).ForLabel(data.Schema["Label"], 3);
        var columns = new TrainingColumns("Features", "Label", null, 784, 3, () => { }, task);
        Assert.AreEqual(3, columns.LabelWidth);
        var expected = TagData.Rows(300, 1).ToDictionary(r => Key(r.Features), r => r.Label.Select(t => t ? 1f : 0f).ToArray());

        var memory = TrainingData.Read(data, columns);
        CheckEpoch(memory, expected);
        CheckEpoch(StreamingRows.Open(data, columns, batchSize: 32, bufferBytes: 50 * TrainingData.BytesPerRow(784, 3)), expected);
    }

    private static void CheckEpoch(ITrainingRows rows, Dictionary<string, float[]> expected)
    {
        var features = new float[32 * 784];
        var labels = new float[32 * 3];
        int seen = 0;
        foreach (int size in rows.Batches(1, 32, seed: 1, shuffle: true, features, labels, null))
        {
            for (int i = 0; i < size; i++)
                CollectionAssert.AreEqual(expected[Key(features.AsSpan(i * 784, 784).ToArray())], labels[(i * 3)..(i * 3 + 3)], $"{rows.GetType().Name}, row {seen + i}");
            seen += size;
        }
        Assert.AreEqual(300, seen);
    }

    private static string Key(float[] image) => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.AsSpan())));
}
