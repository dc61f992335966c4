using Microsoft.ML;
using MLNet.ConvNet.Layers;
using MLNet.ConvNet.Tests.Architectures;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// A network with dropout trains reproducibly: its masks come from a generator each run owns, seeded by (seed, epoch),
/// so a run resumed from a checkpoint or warm-started ends with the uninterrupted run's weights, bit for bit, and two
/// runs at once in one process each end as they would alone. (With libtorch's global generator, which nn.Dropout
/// draws from, none of the three held.)
/// </summary>
[TestClass]
public sealed class DropoutReproducibilityTests
{
    private static ConvNetTrainer.Options Options(string checkpoints = null, CancellationToken token = default, IProgress<TrainingProgress> progress = null, int epochs = 4, int seed = 5) => new()
    {
        // Two Dropout(0.1) layers, before and after the global pooling.
        Architecture = EveryLayerNet.ArchitectureName, Epochs = epochs, Seed = seed, BatchSize = 64,
        CheckpointDirectory = checkpoints, ResumeFromCheckpoint = checkpoints is not null, CancellationToken = token, Progress = progress,
    };

    [TestMethod]
    public void ADropoutNetwork_CancelledInEpoch3_ThenResumed_EndsWithTheUninterruptedWeights_BitForBit()
    {
        string directory = TestData.TempDirectory();
        try
        {
            var ml = new MLContext(1);
            var train = TestData.Digits(ml, 400);
            using var uninterrupted = ml.MulticlassClassification.Trainers.ConvNet(Options()).Fit(train);

            string checkpoints = Path.Combine(directory, "b");
            using var cancel = new CancellationTokenSource();
            var progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 3 && p.Batch == 2) cancel.Cancel(); });
            Assert.ThrowsExactly<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints, cancel.Token, progress)).Fit(train));
            // Something else draws from libtorch's global generator in between, as another run in the process would.
            torch.rand(1000).Dispose();
            using var resumed = ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints)).Fit(train);
            CollectionAssert.AreEqual(TestData.Weights(uninterrupted), TestData.Weights(resumed));
            CollectionAssert.AreEqual(uninterrupted.History.Select(h => h.Loss).ToList(), resumed.History.Select(h => h.Loss).ToList());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("Integration")] // three trainings with every piece on: past the fast tier's budget
    public void EveryRandomPieceOn_CancelledMidEpochAndResumed_EndsWithTheUninterruptedWeights_BitForBit()
    {
        string directory = TestData.TempDirectory();
        try
        {
            var ml = new MLContext(1);
            var train = TestData.Digits(ml, 300);
            ConvNetTrainer.Options EveryPiece(string checkpoints, CancellationToken token = default, IProgress<TrainingProgress> progress = null)
            {
                var options = Options(checkpoints, token, progress);
                options.Augmentation = ImageAugmentation.Digits;
                options.RandomResizedCrop = new RandomResizedCrop { MinScale = 0.5 };
                options.ColorJitter = new ColorJitter { Brightness = 0.2, Contrast = 0.2 };
                options.Mixing = BatchMixing.MixUpOrCutMix();
                options.LabelSmoothing = 0.1;
                options.WeightAveraging = new WeightAveraging { Decay = 0.9 };
                return options;
            }
            using var uninterrupted = ml.MulticlassClassification.Trainers.ConvNet(EveryPiece(Path.Combine(directory, "a"))).Fit(train);

            string checkpoints = Path.Combine(directory, "b");
            using var cancel = new CancellationTokenSource();
            var progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 3 && p.Batch == 2) cancel.Cancel(); });
            Assert.ThrowsExactly<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.ConvNet(EveryPiece(checkpoints, cancel.Token, progress)).Fit(train));
            torch.rand(1000).Dispose();
            using var resumed = ml.MulticlassClassification.Trainers.ConvNet(EveryPiece(checkpoints)).Fit(train);
            CollectionAssert.AreEqual(TestData.Weights(uninterrupted), TestData.Weights(resumed));
            CollectionAssert.AreEqual(uninterrupted.History.Select(h => h.Loss).ToList(), resumed.History.Select(h => h.Loss).ToList());
            StringAssert.Contains(resumed.Model.TrainingSettings, "weight average");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void ADropoutNetwork_TwoEpochsAndTwoMore_GiveTheWeightsOfFourStraight_BitForBit()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Digits(ml, 400);
        using var two = ml.MulticlassClassification.Trainers.ConvNet(Options(epochs: 2)).Fit(data);
        torch.rand(1000).Dispose();
        using var twoMore = ml.MulticlassClassification.Trainers.ConvNet(Options(epochs: 2)).Fit(data, two.Model);
        using var four = ml.MulticlassClassification.Trainers.ConvNet(Options(epochs: 4)).Fit(data);
        CollectionAssert.AreEqual(TestData.Weights(four), TestData.Weights(twoMore));
    }

    [TestMethod]
    public void TwoDropoutRunsAtOnce_EachEndAsItWouldAlone()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Digits(ml, 400);
        float[] Train(int seed, Barrier lockstep = null)
        {
            // Together, the two runs wait for each other after every batch, so that their draws interleave.
            var progress = lockstep is null ? null : new SynchronousProgress<TrainingProgress>(_ => lockstep.SignalAndWait(TimeSpan.FromMinutes(1)));
            using var model = ml.MulticlassClassification.Trainers.ConvNet(Options(epochs: 2, seed: seed, progress: progress)).Fit(data);
            return TestData.Weights(model);
        }
        var first = Train(5);
        var second = Train(6);
        using var lockstep = new Barrier(2);
        var together = new[] { 5, 6 }.Select(seed => Task.Factory.StartNew(() => Train(seed, lockstep), TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(together);
        CollectionAssert.AreEqual(first, together[0].Result);
        CollectionAssert.AreEqual(second, together[1].Result);
    }

    [TestMethod]
    public void TheDropoutModule_DropsTheRateAndScalesTheRest_FromItsGenerator_AndPassesThroughWhenScoring()
    {
        using var module = new DropoutModule(0.25);
        using var input = torch.full([4, 10_000], 2f);
        module.train();
        using var generator = new torch.Generator(42);
        module.Generator = generator;
        using var a = module.forward(input);
        generator.manual_seed(42);
        using var b = module.forward(input);
        var values = a.data<float>().ToArray();
        CollectionAssert.AreEqual(values, b.data<float>().ToArray(), "the same generator state gives the same mask");
        // Each value is dropped (0) or kept and scaled by 1 / (1 - 0.25): 2 becomes 8/3.
        Assert.IsTrue(values.All(v => v == 0 || Math.Abs(v - 8f / 3) < 1e-6), "only 0 and 2 / 0.75");
        double dropped = values.Count(v => v == 0) / (double)values.Length;
        Assert.AreEqual(0.25, dropped, 0.01, "a quarter dropped");
        using var c = module.forward(input);
        CollectionAssert.AreNotEqual(values, c.data<float>().ToArray(), "the next draw is another mask");

        module.eval();
        using var scored = module.forward(input);
        CollectionAssert.AreEqual(input.data<float>().ToArray(), scored.data<float>().ToArray());
    }
}
