using Microsoft.ML;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// The training loop's seam: a user's callback sees every event in order, can replace a batch's images and loss, and
/// can stop training; label smoothing changes the loss exactly as its formula says.
/// </summary>
[TestClass]
public sealed class TrainingCallbackTests
{
    /// <summary>Writes down each event; stops after <paramref name="stopAfter"/> epochs.</summary>
    private sealed class Recorder(int stopAfter = int.MaxValue) : TrainingCallback
    {
        public List<string> Events { get; } = [];
        public TrainingRun Run { get; private set; }

        public override void OnFitStarted(TrainingRun run)
        {
            Run = run;
            Events.Add("fit");
        }

        public override void OnBatchStarted(TrainingBatch batch) => Events.Add($"batch {batch.Epoch}.{batch.Index}");
        public override void OnLossComputed(TrainingBatch batch) => Events.Add($"loss {batch.Epoch}.{batch.Index}");
        public override void OnStepTaken(TrainingBatch batch) => Events.Add($"step {batch.Epoch}.{batch.Index}");

        public override void OnEpochEnded(EpochMetrics metrics, TrainingControl control)
        {
            Events.Add($"epoch {metrics.Epoch}");
            if (metrics.Epoch >= stopAfter)
                control.Stop($"the recorder stops after epoch {stopAfter}");
        }

        public override void OnFitEnded(IReadOnlyList<EpochMetrics> history) => Events.Add($"end {history.Count}");
    }

    [TestMethod]
    public void ACallback_SeesEveryEventInOrder_AndCanStopTraining()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var recorder = new Recorder(stopAfter: 2);
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 5, BatchSize = 50, Seed = 3, Callbacks = { recorder } };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 100));

        Assert.AreEqual(new TrainingRun(1, 5, 2, 100, 10, 3), recorder.Run);
        var expected = new List<string> { "fit" };
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            for (int batch = 0; batch < 2; batch++)
                expected.AddRange([$"batch {epoch}.{batch}", $"loss {epoch}.{batch}", $"step {epoch}.{batch}"]);
            expected.Add($"epoch {epoch}");
        }
        expected.Add("end 2");
        CollectionAssert.AreEqual(expected, recorder.Events);
        Assert.AreEqual(2, model.History.Count);
        Assert.IsTrue(log.Any(m => m.Contains("Stopped after epoch 2: the recorder stops after epoch 2.", StringComparison.Ordinal)), string.Join("\n", log));
    }

    /// <summary>Replaces every image with zeros; checks the network then scores every image alike.</summary>
    private sealed class Blank : TrainingCallback
    {
        public int Checked;

        public override void OnBatchStarted(TrainingBatch batch) => batch.Images = torch.zeros_like(batch.Images);

        public override void OnLossComputed(TrainingBatch batch)
        {
            var logits = batch.Logits.detach().cpu();
            var first = logits[0];
            Assert.IsTrue(logits.sub(first).abs().max().item<float>() == 0, "every row of logits is the same for the same (blank) image");
            Checked++;
        }
    }

    [TestMethod]
    public void ACallback_CanReplaceTheImages_TheNetworkSees()
    {
        var ml = new MLContext(seed: 1);
        var blank = new Blank();
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, BatchSize = 50, Callbacks = { blank } };
        ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 100)).Dispose();
        Assert.AreEqual(2, blank.Checked);
        var wrong = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, Callbacks = { new Reshaper() } };
        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ConvNet(wrong).Fit(TestData.Digits(ml, 20)));
        StringAssert.Contains(error.Message, "The batch's images must keep their shape [20, 1, 28, 28]; got [20, 1, 14, 14].");
    }

    private sealed class Reshaper : TrainingCallback
    {
        public override void OnBatchStarted(TrainingBatch batch) => batch.Images = torch.zeros(batch.Images.shape[0], 1, 14, 14);
    }

    /// <summary>Copies each batch's logits, labels and loss.</summary>
    private sealed class LossRecorder : TrainingCallback
    {
        public List<(float[] Logits, long[] Labels, float[] Targets, float Loss)> Batches { get; } = [];

        public override void OnLossComputed(TrainingBatch batch)
            => Batches.Add((batch.Logits.detach().cpu().data<float>().ToArray(), batch.Labels.cpu().data<long>().ToArray(),
                batch.Targets?.cpu().data<float>().ToArray(), batch.Loss.item<float>()));
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.1)]
    [DataRow(0.3)]
    public void LabelSmoothing_TeachesOneMinusEpsilonPlusEpsilonOverTheClasses(double epsilon)
    {
        var ml = new MLContext(seed: 1);
        var recorder = new LossRecorder();
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, BatchSize = 40, LabelSmoothing = epsilon, Callbacks = { recorder } };
        ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 80)).Dispose();
        foreach (var (logits, labels, _, loss) in recorder.Batches)
        {
            double sum = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                var row = logits.AsSpan(i * 10, 10).ToArray();
                double max = row.Max(), logSum = Math.Log(row.Sum(v => Math.Exp(v - max))) + max;
                for (int k = 0; k < 10; k++)
                {
                    double target = (k == labels[i] ? 1 - epsilon : 0) + epsilon / 10;
                    sum -= target * (row[k] - logSum);
                }
            }
            Assert.AreEqual(sum / labels.Length, loss, 1e-5, $"ε {epsilon}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { LabelSmoothing = 1 }));
    }

    [TestMethod]
    public void LabelSmoothing_IsPartOfTheCheckpointFingerprint_AndTheSettings()
    {
        string folder = TestData.TempDirectory();
        try
        {
            var ml = new MLContext(seed: 1);
            var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, CheckpointDirectory = folder, ResumeFromCheckpoint = true };
            ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 40)).Dispose();
            options.LabelSmoothing = 0.1;
            options.Epochs = 2;
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 40)));
            StringAssert.Contains(error.Message, "label smoothing 0.1");
            Directory.Delete(folder, recursive: true);
            Directory.CreateDirectory(folder);
            using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 40));
            StringAssert.Contains(model.Model.TrainingSettings, "label smoothing 0.1");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
