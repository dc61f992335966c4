using Microsoft.ML;
using MLNet.ConvNet.Tests.Architectures;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Augmentation;

/// <summary>
/// Mixup and cutmix: the images and the targets are mixed by the same λ, λ follows Beta(α, α), the loss is the
/// cross-entropy against the mixed targets, the running accuracy counts against their top class, and a mixed run
/// resumes exactly.
/// </summary>
[TestClass]
public sealed class BatchMixingTests
{
    private static (torch.Tensor Images, torch.Tensor Labels) Batch()
    {
        torch.manual_seed(3);
        return (torch.rand(4, 1, 6, 8), torch.tensor(new long[] { 0, 1, 2, 3 }));
    }

    [TestMethod]
    public void Mixup_BlendsEachImageWithItsPartner_AndTheTargetsByTheSameLambda()
    {
        var (images, labels) = Batch();
        var mixed = BatchMixing.MixUp(0.4).Mix(images, labels, 5, new Random(7)).Value;
        double l = mixed.Lambda;
        Assert.IsTrue(l is > 0 and < 1, $"λ {l}");
        var expected = images.mul(l).add(images.flip(0).mul(1 - l));
        Assert.IsTrue(mixed.Images.allclose(expected, atol: 1e-6), "λ x + (1 - λ) x reversed");
        var targets = mixed.Targets.data<float>().ToArray();
        for (int i = 0; i < 4; i++)
        {
            var row = targets.AsSpan(i * 5, 5).ToArray();
            Assert.AreEqual(l, row[i], 1e-6, "the image's own class");
            Assert.AreEqual(1 - l, row[3 - i], 1e-6, "its partner's (the batch reversed)");
            Assert.AreEqual(1, row.Sum(), 1e-6);
            Assert.AreEqual(0, row[4]);
        }
    }

    [TestMethod]
    public void Cutmix_PastesABoxOfThePartner_AndLambdaIsTheShareLeft()
    {
        var (images, labels) = Batch();
        for (int seed = 0; seed < 20; seed++)
        {
            var mixed = BatchMixing.CutMix().Mix(images, labels, 4, new Random(seed)).Value;
            var original = images.data<float>().ToArray();
            var partner = images.flip(0).data<float>().ToArray();
            var result = mixed.Images.data<float>().ToArray();
            // Where the result is the partner's pixel and not the image's: the box, the same in every image.
            int pasted = 0;
            for (int i = 0; i < 48; i++)
            {
                bool fromPartner = result[i] == partner[i] && result[i] != original[i];
                Assert.IsTrue(fromPartner || result[i] == original[i]);
                pasted += fromPartner ? 1 : 0;
                for (int image = 1; image < 4; image++)
                    Assert.AreEqual(result[i] == original[i], result[image * 48 + i] == original[image * 48 + i] || partner[image * 48 + i] == original[image * 48 + i]);
            }
            Assert.AreEqual(1 - pasted / 48.0, mixed.Lambda, 1e-9, $"seed {seed}: λ is the share of the image left");
            var targets = mixed.Targets.data<float>().ToArray();
            Assert.AreEqual(mixed.Lambda, targets[0], 1e-6);
            Assert.AreEqual(1 - mixed.Lambda, targets[3], 1e-6);
        }
    }

    [TestMethod]
    [DataRow(0.2)]
    [DataRow(0.8)]
    [DataRow(1.0)]
    [DataRow(2.0)]
    public void Lambda_FollowsBetaAlphaAlpha(double alpha)
    {
        var random = new Random(11);
        var draws = Enumerable.Range(0, 200_000).Select(_ => BatchMixing.Beta(random, alpha)).ToArray();
        double mean = draws.Average(), variance = draws.Select(d => (d - mean) * (d - mean)).Average();
        Assert.AreEqual(0.5, mean, 0.005);
        Assert.AreEqual(1 / (4 * (2 * alpha + 1)), variance, 0.003, $"Beta({alpha}, {alpha})'s variance is 1 / (4 (2α + 1))");
        Assert.IsTrue(draws.All(d => d is >= 0 and <= 1));
    }

    [TestMethod]
    public void Probability_MixesThatShareOfBatches_AndBadSettingsAreRefused()
    {
        var (images, labels) = Batch();
        var random = new Random(5);
        var half = new BatchMixing { MixUpAlpha = 0.4, Probability = 0.5 };
        int mixed = Enumerable.Range(0, 4000).Count(_ => half.Mix(images, labels, 4, random) is not null);
        Assert.AreEqual(2000, mixed, 120);
        Assert.IsNull(new BatchMixing().Mix(images, labels, 4, random), "both α 0: nothing to mix");
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchMixing { MixUpAlpha = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchMixing { Probability = 1.5 });
        Assert.AreEqual("mixup α 0.8 or (p 0.5) cutmix α 1", BatchMixing.MixUpOrCutMix().ToString());
    }

    /// <summary>Checks each batch's loss against the mixed targets, and counts the top-class agreements.</summary>
    private sealed class Checker : TrainingCallback
    {
        public Dictionary<int, long> CorrectByEpoch { get; } = [];
        public int Mixed;

        public override void OnLossComputed(TrainingBatch batch)
        {
            Assert.IsNotNull(batch.Targets, "every batch mixed");
            Mixed++;
            var logSoftmax = torch.nn.functional.log_softmax(batch.Logits.detach(), 1);
            float expected = batch.Targets.mul(logSoftmax).sum(1).neg().mean().item<float>();
            Assert.AreEqual(expected, batch.Loss.item<float>(), 1e-5, "the cross-entropy against the mixed targets");
            long correct = batch.Logits.argmax(1).eq(batch.Targets.argmax(1)).sum().item<long>();
            CorrectByEpoch[batch.Epoch] = CorrectByEpoch.GetValueOrDefault(batch.Epoch) + correct;
        }
    }

    [TestMethod]
    public void AMixedRun_MinimisesTheCrossEntropyAgainstTheMixedTargets_AndCountsAccuracyAgainstTheirTopClass()
    {
        var ml = new MLContext(seed: 1);
        var checker = new Checker();
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 2, BatchSize = 50, Mixing = BatchMixing.MixUp(0.4), Callbacks = { checker } };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 200));
        Assert.AreEqual(8, checker.Mixed);
        foreach (var epoch in model.History)
        {
            Assert.AreEqual(checker.CorrectByEpoch[epoch.Epoch] / 200.0, epoch.Accuracy, 1e-12);
            Assert.IsTrue(epoch.Augmented);
        }
        StringAssert.Contains(model.Model.TrainingSettings, "mixing mixup α 0.4");
    }

    [TestMethod]
    public void MixingThatNeverMixes_TrainsBitForBitAsNone()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Digits(ml, 200);
        ConvNetTransformer Train(BatchMixing mixing) => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, Seed = 4, Mixing = mixing }).Fit(data);
        using var none = Train(null);
        using var never = Train(new BatchMixing { MixUpAlpha = 0.4, Probability = 0 });
        CollectionAssert.AreEqual(TestData.Weights(none), TestData.Weights(never));
    }

    [TestMethod]
    public void AMixedSmoothedDropoutRun_CancelledAndResumed_EndsBitForBit()
    {
        string directory = TestData.TempDirectory();
        try
        {
            var ml = new MLContext(1);
            var train = TestData.Digits(ml, 300);
            ConvNetTrainer.Options Options(string checkpoints, CancellationToken token = default, IProgress<TrainingProgress> progress = null) => new()
            {
                Architecture = EveryLayerNet.ArchitectureName, Epochs = 4, Seed = 9, BatchSize = 64, LabelSmoothing = 0.1, Mixing = BatchMixing.MixUpOrCutMix(),
                CheckpointDirectory = checkpoints, ResumeFromCheckpoint = true, CancellationToken = token, Progress = progress,
            };
            using var straight = ml.MulticlassClassification.Trainers.ConvNet(Options(Path.Combine(directory, "a"))).Fit(train);
            using var cancel = new CancellationTokenSource();
            var progress = new Training.SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 3 && p.Batch == 1) cancel.Cancel(); });
            string checkpoints = Path.Combine(directory, "b");
            Assert.ThrowsExactly<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints, cancel.Token, progress)).Fit(train));
            using var resumed = ml.MulticlassClassification.Trainers.ConvNet(Options(checkpoints)).Fit(train);
            CollectionAssert.AreEqual(TestData.Weights(straight), TestData.Weights(resumed));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
