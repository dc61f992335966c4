using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>Training goes on from a fitted model, and a finished checkpointed run extends to more epochs.</summary>
[TestClass]
public sealed class WarmStartTests
{
    [TestMethod]
    public void AWarmStart_BeginsFromTheFittedWeights()
    {
        var ml = new MLContext(seed: 1);
        var first = TestData.Digits(ml, 600);
        using var fitted = ml.MulticlassClassification.Trainers.ConvNet(epochs: 2).Fit(first);

        // More data; one batch holding all of it, unshuffled, so the first reported loss is the loss before any step.
        var more = TestData.Digits(ml, 300, seed: 2);
        var scores = fitted.Transform(more).GetColumn<float[]>("Score").ToArray();
        var labels = more.GetColumn<uint>("Label").ToArray();
        double fittedLoss = scores.Select((s, i) => -Math.Log(s[labels[i] - 1])).Average();

        var reports = new List<TrainingProgress>();
        var options = new ConvNetTrainer.Options { Epochs = 1, BatchSize = 300, Shuffle = false, Progress = new Recorder(reports) };
        using var continued = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(more, fitted.Model);
        Assert.AreEqual(fittedLoss, reports[0].Loss, 1e-4, "the first batch is scored with the fitted weights");

        reports.Clear();
        using var fresh = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(more);
        Assert.IsTrue(Math.Abs(reports[0].Loss - fittedLoss) > 0.5, $"a fresh network starts elsewhere ({reports[0].Loss:F3} against {fittedLoss:F3})");
        Assert.AreEqual(1, continued.History.Count);
    }

    [TestMethod]
    public void AWarmStart_OfAnotherArchitectureOrClassCount_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        using var fitted = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(TestData.Digits(ml, 64));
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.ConvNet(architecture: "LeNot", epochs: 1).Fit(TestData.Digits(ml, 64), fitted.Model));
        StringAssert.Contains(error.Message, "the fitted model is SimpleConvNet on 1x28x28 images with 10 classes, but this trainer builds LeNot on 1x28x28 images with 10 classes");
    }

    [TestMethod]
    public void ExtendingAFinishedThreeEpochRun_ToFive_GivesTheFiveEpochRunsWeights_BitForBit()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Digits(ml, 500);
        string folder = TestData.TempDirectory();
        ConvNetTransformer Train(int epochs, string checkpoints) => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options
        {
            Architecture = "LeNot", Epochs = epochs, Seed = 5, CheckpointDirectory = checkpoints, ResumeFromCheckpoint = checkpoints is not null,
        }).Fit(data);

        using (var three = Train(3, folder))
            Assert.AreEqual(3, three.History.Count);
        using var extended = Train(5, folder);
        using var straight = Train(5, checkpoints: null);
        Assert.AreEqual(5, extended.History.Count);
        CollectionAssert.AreEqual(TestData.Weights(straight), TestData.Weights(extended));
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void AOneCycleRun_IsNotExtended_BecauseItsScheduleDependsOnTheEpochs()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Digits(ml, 200);
        string folder = TestData.TempDirectory();
        ConvNetTrainer.Options Options(int epochs) => new()
        {
            Epochs = epochs, Seed = 5, CheckpointDirectory = folder, ResumeFromCheckpoint = true, LearningRateSchedule = LearningRateSchedule.OneCycle(),
        };
        using (ml.MulticlassClassification.Trainers.ConvNet(Options(2)).Fit(data)) { }
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(Options(3)).Fit(data));
        StringAssert.Contains(error.Message, "written by a different training run");
        Directory.Delete(folder, recursive: true);
    }

    private sealed class Recorder(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
