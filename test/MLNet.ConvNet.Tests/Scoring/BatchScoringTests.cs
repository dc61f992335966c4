using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Scoring;

namespace MLNet.ConvNet.Tests.Scoring;

[TestClass]
public sealed class BatchScoringTests
{
    private static MLContext _ml;
    private static ConvNetTransformer _model;

    [ClassInitialize]
    public static void Train(TestContext context)
    {
        _ml = TrainedModels.Ml;
        _model = TrainedModels.LeNot;
    }


    private sealed class Row
    {
        public string Name { get; set; }
        public uint Label { get; set; }
        [VectorType(784)] public float[] Features { get; set; }
    }

    [TestMethod]
    public void Transform_OverSeveralBatches_PassesEveryInputColumnThrough_AndAgreesWithRowByRowScoring()
    {
        int rows = BatchScoringDataView.BatchSize * 2 + 37;
        var digits = GeneratedDigits.Generate(rows, seed: 2);
        var input = _ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Row
        {
            Name = $"image {i}",
            Label = digits.Labels[i],
            Features = digits.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray(),
        }));
        var scored = _model.Transform(input);
        Assert.AreEqual(rows, scored.GetColumn<string>("Name").Count());
        CollectionAssert.AreEqual(Enumerable.Range(0, rows).Select(i => $"image {i}").ToArray(), scored.GetColumn<string>("Name").ToArray());

        var batched = scored.GetColumn<float[]>("Score").ToArray();
        var keys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var engine = _ml.Model.CreatePredictionEngine<Row, Prediction>(_model);
        for (int i = 0; i < rows; i += 97)
        {
            var single = engine.Predict(new Row { Name = "", Features = input.GetColumn<float[]>("Features").ElementAt(i) });
            for (int c = 0; c < 10; c++)
                Assert.AreEqual(batched[i][c], single.Score[c], 1e-5f, $"row {i}, class {c}");
            Assert.AreEqual((uint)Array.IndexOf(batched[i], batched[i].Max()) + 1, keys[i]);
        }
    }

    [TestMethod]
    public void Cursor_ThatNeedsNoOutputColumn_NeverRunsTheNetwork_AndRowCountsPassThrough()
    {
        var input = TestData.Digits(_ml, 100, seed: 2);
        var scored = _model.Transform(input);
        Assert.AreEqual(100L, scored.GetRowCount());
        using var cursor = scored.GetRowCursor([scored.Schema["Label"]]);
        int count = 0;
        while (cursor.MoveNext())
            count++;
        Assert.AreEqual(100, count);
        Assert.IsFalse(cursor.IsColumnActive(scored.Schema["Score"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]));
    }

    [TestMethod]
    public void Device_Cuda_WithoutCuda_SaysWhatIsMissing()
    {
        var options = new ConvNetTrainer.Options { Device = "cuda", Epochs = 1 };
        var error = Assert.ThrowsExactly<ArgumentException>(() => _ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(_ml, 64)));
        StringAssert.Contains(error.Message, "CUDA is not available in this process");
        StringAssert.Contains(error.Message, "TorchSharp-cuda-linux");
    }

    [TestMethod]
    public void Device_Unknown_ListsTheDevicesItTakes()
    {
        var options = new ConvNetTrainer.Options { Device = "abacus", Epochs = 1 };
        var error = Assert.ThrowsExactly<ArgumentException>(() => _ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(_ml, 64)));
        StringAssert.Contains(error.Message, "Device must be \"cpu\", \"cuda\" or \"cuda:N\"; got \"abacus\"");
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; }
    }
}
