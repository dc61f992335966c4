using Microsoft.ML;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet.Tests.Training;

[TestClass]
public sealed class CheckpointTests
{
    private string _directory;

    [TestInitialize]
    public void Create() => _directory = TestData.TempDirectory();

    [TestCleanup]
    public void Delete() => Directory.Delete(_directory, recursive: true);

    private ConvNetTrainer.Options Options(string checkpoints, CancellationToken token = default, IProgress<TrainingProgress> progress = null) => new()
    {
        Architecture = "LeNot", Epochs = 4, Seed = 5, ValidationFraction = 0.2, Patience = 10,
        LearningRateSchedule = LearningRateSchedule.ReduceOnPlateau(patience: 1),
        CheckpointDirectory = checkpoints, ResumeFromCheckpoint = true, CancellationToken = token, Progress = progress,
    };

    [TestMethod]
    public void CancelledInEpoch3_ThenResumed_GivesTheWeightsOfAnUninterruptedRun_BitForBit()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 600);
        using var uninterrupted = ml.MulticlassClassification.Trainers.ConvNet(Options(Path.Combine(_directory, "a"))).Fit(train);

        string checkpoints = Path.Combine(_directory, "b");
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 3 && p.Batch == 2) cancel.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints, cancel.Token, progress)).Fit(train));
        CollectionAssert.AreEqual(new[] { "epoch-0001.ckpt", "epoch-0002.ckpt" }, Directory.GetFiles(checkpoints).Select(Path.GetFileName).Order().ToArray(),
            "Cancelling inside epoch 3 leaves the checkpoints of epochs 1 and 2, and nothing half-written.");

        using var resumed = ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints)).Fit(train);
        CollectionAssert.AreEqual(TestData.Weights(uninterrupted), TestData.Weights(resumed));
        CollectionAssert.AreEqual(uninterrupted.History.Select(h => (h.Loss, h.Accuracy, h.LearningRate, h.ValidationLoss)).ToList(),
            resumed.History.Select(h => (h.Loss, h.Accuracy, h.LearningRate, h.ValidationLoss)).ToList());
    }

    [TestMethod]
    public void DamagedNewestCheckpoint_IsSkipped_AndTheOneBeforeIsUsed()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 300);
        var options = Options(_directory);
        options.Epochs = 2;
        ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train).Dispose();
        string newest = Path.Combine(_directory, "epoch-0002.ckpt");
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);

        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        options.Epochs = 2;
        using var resumed = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        Assert.IsTrue(log.Any(m => m.Contains("Skipping checkpoint") && m.Contains("epoch-0002.ckpt")));
        Assert.IsTrue(log.Any(m => m.Contains("Resumed from the checkpoint of epoch 1")));
        Assert.AreEqual(2, resumed.History.Count);
    }

    [TestMethod]
    public void CheckpointOfAnotherRun_IsRefused_RatherThanSilentlyMixed()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 300);
        var options = Options(_directory);
        options.Epochs = 1;
        ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train).Dispose();
        options.Epochs = 2;
        options.BatchSize = 64;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train));
        StringAssert.Contains(error.Message, "was written by a different training run");
        StringAssert.Contains(error.Message, "batch 128");
        StringAssert.Contains(error.Message, "batch 64");
    }
}
