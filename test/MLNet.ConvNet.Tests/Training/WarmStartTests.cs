using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// Training goes on from a fitted model (its weights, its epochs and, in the same process, its optimizer's state), and a
/// finished checkpointed run extends to more epochs.
/// </summary>
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
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, continued.History.Select(e => e.Epoch).ToArray(), "the fitted run's epochs, then this run's numbered on");
    }

    [TestMethod]
    public void TwoEpochsAndTwoMore_GiveTheWeightsOfFourStraight_BitForBit()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var data = TestData.Digits(ml, 500);
        ConvNetTrainer Trainer(int epochs) => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Epochs = epochs, Seed = 5 });

        using var two = Trainer(2).Fit(data);
        using var twoMore = Trainer(2).Fit(data, two.Model);
        using var four = Trainer(4).Fit(data);

        CollectionAssert.AreEqual(TestData.Weights(four), TestData.Weights(twoMore), "the same shuffles and the same optimizer state as one run");
        Assert.AreEqual(4, twoMore.Model.FinalEpoch);
        CollectionAssert.AreEqual(four.History.Select(e => e.Loss).ToArray(), twoMore.History.Select(e => e.Loss).ToArray());
        Assert.IsTrue(messages.Any(m => m.Contains("Continuing a fitted network after its epoch 2: epochs 3 to 4, with the RMSprop state it ended with.", StringComparison.Ordinal)),
            "the log says the run continues a fitted network");
        Assert.IsTrue(messages.Any(m => m.Contains("Epoch 4/4:", StringComparison.Ordinal)));
        StringAssert.Contains(twoMore.Model.TrainingSettings, "; then, from epoch 3, SimpleConvNet");
    }

    [TestMethod]
    public void AWarmStart_FromAModelFile_OrWithAnotherOptimizer_StartsAFreshOptimizerState_AndSaysWhy()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var data = TestData.Digits(ml, 200);
        using var fitted = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(data);
        string path = Path.Combine(TestData.TempDirectory(), "model.zip");
        ml.Model.Save(fitted, data.Schema, path);
        var loaded = (ConvNetTransformer)ml.Model.Load(path, out _);

        using (ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(data, loaded.Model)) { }
        Assert.IsTrue(messages.Any(m => m.Contains("with a fresh RMSprop state: a model read from a file keeps no optimizer state", StringComparison.Ordinal)), string.Join("\n", messages));

        var adam = new ConvNetTrainer.Options { Epochs = 1, Optimizer = new AdamOptimizer() };
        using (ml.MulticlassClassification.Trainers.ConvNet(adam).Fit(data, fitted.Model)) { }
        Assert.IsTrue(messages.Any(m => m.Contains("with a fresh Adam state: the fitted network was trained with RMSprop(", StringComparison.Ordinal)), string.Join("\n", messages));
        loaded.Dispose();
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
