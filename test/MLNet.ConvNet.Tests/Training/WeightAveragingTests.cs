using Microsoft.ML;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Training;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// The weights' moving average: its arithmetic step by step, that validation scores it and the fitted model ends with
/// it, and that a run with it resumes from a checkpoint bit for bit.
/// </summary>
[TestClass]
public sealed class WeightAveragingTests
{
    [TestMethod]
    public void TheAverage_MovesOneMinusDecayOfTheWayAfterEveryStep_WithTimmsWarmUp()
    {
        using var model = ConvNetModule.Create(ArchitectureRegistry.Get("LeNot"), new ImageShape(1, 28, 28), 10, seed: 1);
        var settings = new WeightAveraging { Decay = 0.9 };
        using var averager = new WeightAverager(settings, model);
        var weight = model.State()[0].Tensor;
        double expected = weight.data<float>()[0];
        for (int step = 0; step < 30; step++)
        {
            using (torch.no_grad())
                weight.add_(0.5f);
            averager.OnStepTaken(null);
            double decay = Math.Min(0.9, (1.0 + step) / (10.0 + step));
            expected = decay * expected + (1 - decay) * weight.data<float>()[0];
            Assert.AreEqual(expected, averager.Snapshot()[0].Values[0], 1e-4, $"step {step}: decay {decay}");
        }
        Assert.AreEqual(30, averager.Steps);
        Assert.AreEqual(0.1, new WeightAveraging().DecayAt(0), 1e-12, "(1 + 0) / (10 + 0)");
        Assert.AreEqual(0.999, new WeightAveraging { WarmUp = false }.DecayAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAveraging { Decay = 1 });
    }

    [TestMethod]
    public void ValidationScoresTheAverage_AndTheFittedModelEndsWithIt()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Digits(ml, 300);
        var validation = TestData.Digits(ml, 200, seed: 4);
        ConvNetTrainer.Options Options(WeightAveraging averaging) => new()
        {
            Architecture = "LeNot", Epochs = 3, BatchSize = 32, Seed = 2, ValidationSet = validation, EarlyStopping = false, WeightAveraging = averaging,
        };
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        using var averaged = ml.MulticlassClassification.Trainers.ConvNet(Options(new WeightAveraging { Decay = 0.9 })).Fit(train);
        using var plain = ml.MulticlassClassification.Trainers.ConvNet(Options(null)).Fit(train);
        CollectionAssert.AreNotEqual(TestData.Weights(plain), TestData.Weights(averaged), "the average is not the last weights");

        // The last epoch's validation metrics are the fitted model's on the validation data: it was the average that was scored.
        var metrics = ml.MulticlassClassification.Evaluate(averaged.Transform(validation));
        Assert.AreEqual(metrics.MicroAccuracy, averaged.History[^1].ValidationAccuracy.Value, 1e-12);
        Assert.AreEqual(metrics.LogLoss, averaged.History[^1].ValidationLoss.Value, 1e-4);
        Assert.IsTrue(log.Any(m => m.Contains("Ended with the weights' moving average (decay 0.9 with warm-up, 30 steps).", StringComparison.Ordinal)), string.Join("\n", log.Where(m => m.Contains("Ended"))));
        StringAssert.Contains(averaged.Model.TrainingSettings, "weight average decay 0.9 with warm-up");
    }

    [TestMethod]
    public void AnAveragedRun_CancelledAndResumed_EndsBitForBit()
    {
        string directory = TestData.TempDirectory();
        try
        {
            var ml = new MLContext(1);
            var train = TestData.Digits(ml, 300);
            ConvNetTrainer.Options Options(string checkpoints, CancellationToken token = default, IProgress<TrainingProgress> progress = null) => new()
            {
                Architecture = "LeNot", Epochs = 4, Seed = 3, BatchSize = 50, ValidationFraction = 0.2, WeightAveraging = new WeightAveraging { Decay = 0.95 },
                CheckpointDirectory = checkpoints, ResumeFromCheckpoint = true, CancellationToken = token, Progress = progress,
            };
            using var straight = ml.MulticlassClassification.Trainers.ConvNet(Options(Path.Combine(directory, "a"))).Fit(train);
            using var cancel = new CancellationTokenSource();
            var progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 3 && p.Batch == 2) cancel.Cancel(); });
            string checkpoints = Path.Combine(directory, "b");
            Assert.ThrowsExactly<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints, cancel.Token, progress)).Fit(train));
            using var resumed = ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints)).Fit(train);
            CollectionAssert.AreEqual(TestData.Weights(straight), TestData.Weights(resumed));
            CollectionAssert.AreEqual(straight.History.Select(h => h.ValidationLoss).ToList(), resumed.History.Select(h => h.ValidationLoss).ToList());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
