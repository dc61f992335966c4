using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet.Tests.Training;

[TestClass]
public sealed class TrainingBeyondKerasTests
{
    [TestMethod]
    public void ValidationFraction_AddsValidationMetricsToEveryEpoch()
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Epochs = 2, ValidationFraction = 0.2, EarlyStopping = false };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 500));
        Assert.AreEqual(2, model.History.Count);
        Assert.IsTrue(model.History.All(h => h.ValidationLoss > 0 && h.ValidationAccuracy is > 0 and <= 1));
    }

    [TestMethod]
    public void ValidationSet_WithOtherColumns_IsRefusedWithTheSchemaMismatch()
    {
        var ml = new MLContext(1);
        var wrong = ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Label = 1, Features = new float[784] } });
        var options = new ConvNetTrainer.Options { Epochs = 1, ValidationSet = wrong };
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 128)));
        StringAssert.Contains(error.Message, "Schema mismatch for label column 'Label'");
    }

    [TestMethod]
    public void ValidationSetAndFraction_Together_AreRefused()
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { ValidationSet = TestData.Digits(ml, 10, seed: 2), ValidationFraction = 0.1 };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.ConvNet(options));
        StringAssert.Contains(error.Message, "either ValidationSet or ValidationFraction");
    }

    [TestMethod]
    public void EarlyStopping_StopsAfterPatience_AndRestoresTheBestEpochsWeights()
    {
        var ml = new MLContext(1);
        string checkpoints = TestData.TempDirectory();
        try
        {
            // A huge MinDelta means no epoch after the first counts as an improvement.
            var options = new ConvNetTrainer.Options
            {
                Epochs = 6, ValidationSet = TestData.Digits(ml, 200, seed: 2), Patience = 2, MinDelta = 1e6, CheckpointDirectory = checkpoints,
            };
            using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 300));
            Assert.AreEqual(3, model.History.Count, "Epoch 1 is best; epochs 2 and 3 exhaust the patience of 2.");
            Assert.AreEqual(1, model.FinalEpoch);

            // The restored weights are exactly those the epoch-1 checkpoint holds.
            var epochOne = new ConvNetTrainer.Options { Epochs = 1, ValidationSet = options.ValidationSet, EarlyStopping = false };
            using var reference = ml.MulticlassClassification.Trainers.ConvNet(epochOne).Fit(TestData.Digits(ml, 300));
            CollectionAssert.AreEqual(TestData.Weights(reference), TestData.Weights(model));
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }

    [TestMethod]
    public void EarlyStoppingOnAValidationMetric_WithoutValidation_SaysWhatIsMissing()
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Epochs = 1, EarlyStopping = true, EarlyStoppingMetric = TrainingMetric.ValidationAccuracy };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 64)));
        StringAssert.Contains(error.Message, "there is no validation data");
    }

    [TestMethod]
    public void Schedule_IsAppliedAndRecordedPerEpoch()
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Epochs = 3, LearningRateSchedule = LearningRateSchedule.Step(1, 0.5) };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 256));
        CollectionAssert.AreEqual(new[] { 0.001, 0.0005, 0.00025 }, model.History.Select(h => h.LearningRate).ToArray());
    }

    [TestMethod]
    public void Progress_IsReportedEveryBatch_WithAShrinkingEstimate()
    {
        var ml = new MLContext(1);
        var reports = new List<TrainingProgress>();
        var options = new ConvNetTrainer.Options { Epochs = 2, BatchSize = 64, Progress = new SynchronousProgress<TrainingProgress>(reports.Add) };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 640));
        Assert.AreEqual(20, reports.Count);
        Assert.AreEqual((1, 1, 10), (reports[0].Epoch, reports[0].Batch, reports[0].Batches));
        Assert.AreEqual((2, 10), (reports[^1].Epoch, reports[^1].Batch));
        Assert.AreEqual(TimeSpan.Zero, reports[^1].Remaining);
        Assert.IsTrue(reports.Zip(reports.Skip(1)).All(p => p.Second.Elapsed >= p.First.Elapsed));
    }

    [TestMethod]
    public void HistoryWithValidation_AndTheFinalEpoch_SurviveSaveAndLoad()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 300);
        var options = new ConvNetTrainer.Options { Epochs = 2, ValidationFraction = 0.25 };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        string path = Path.Combine(TestData.TempDirectory(), "history.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = (ConvNetTransformer)ml.Model.Load(path, out _);
        CollectionAssert.AreEqual(model.History.ToList(), loaded.History.ToList());
        Assert.AreEqual(model.FinalEpoch, loaded.FinalEpoch);
        Directory.Delete(Path.GetDirectoryName(path), recursive: true);
    }

    private sealed class FloatLabelRow
    {
        public float Label { get; set; }
        [VectorType(784)] public float[] Features { get; set; }
    }
}

/// <summary>Calls the handler on the reporting thread, unlike <see cref="Progress{T}"/>.</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
