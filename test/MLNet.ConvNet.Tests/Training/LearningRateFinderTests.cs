using Microsoft.ML;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// The learning-rate finder: the rate ramps geometrically, the curve is the smoothed loss, the search stops where
/// the loss diverges, the suggestions lie inside the curve, and nothing it touches changes.
/// </summary>
[TestClass]
public sealed class LearningRateFinderTests
{
    [TestMethod]
    public void TheSearch_RampsTheRate_SmoothsTheLoss_AndStopsWhereItDiverges()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", BatchSize = 32, Seed = 2 });
        // LeNot's loss on these digits falls to about 2.2 near 0.015 and then rises slowly (its ReLUs die rather than
        // explode): a tight divergence factor stops the search on the rise.
        var found = trainer.FindLearningRate(TestData.Digits(ml, 640), new LearningRateFinder { DivergenceFactor = 1.05 });
        string curve = string.Join(" ", found.Rates.Zip(found.Losses, (r, l) => $"{r:G2}:{l:F2}"));
        Assert.IsTrue(found.Diverged, curve);
        Assert.IsTrue(found.Rates.Count is > 10 and < 100, $"{found.Rates.Count} steps: {curve}");
        for (int i = 1; i < found.Losses.Count; i++)
            Assert.IsTrue(found.Losses[i] <= 1.05 * found.Losses.Take(i).Min(), $"point {i} is past the divergence: {curve}");
        double factor = Math.Pow(10 / 1e-7, 1 / 99.0);
        Assert.AreEqual(1e-7, found.Rates[0], 1e-20);
        for (int i = 1; i < found.Rates.Count; i++)
            Assert.AreEqual(factor, found.Rates[i] / found.Rates[i - 1], 1e-9, "the same factor every batch");
        double average = 0;
        for (int i = 0; i < found.Losses.Count; i++)
        {
            average = 0.98 * average + 0.02 * found.RawLosses[i];
            Assert.AreEqual(average / (1 - Math.Pow(0.98, i + 1)), found.Losses[i], 1e-9, "bias-corrected exponential smoothing");
        }
        foreach (double rate in new[] { found.Suggested, found.Steepest })
            Assert.IsTrue(found.Rates.Contains(rate), $"{rate} is a rate of the curve");
        int lowest = Enumerable.Range(0, found.Losses.Count).MinBy(i => found.Losses[i]);
        Assert.AreEqual(found.Rates[lowest] / 10, found.MinimumOverTen, 1e-15);
    }

    [TestMethod]
    public void ASearchThatDoesNotDiverge_TakesEveryStep_UpToTheEndRate()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", BatchSize = 64 });
        var found = trainer.FindLearningRate(TestData.Digits(ml, 200), new LearningRateFinder { StartRate = 1e-6, EndRate = 1e-3, Steps = 20 });
        Assert.IsFalse(found.Diverged);
        Assert.HasCount(20, found.Rates);
        Assert.AreEqual(1e-3, found.Rates[^1], 1e-12);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.FindLearningRate(TestData.Digits(ml, 20), new LearningRateFinder { StartRate = 1, EndRate = 0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateFinder { Steps = 5 });
    }

    [TestMethod]
    public void TheSearch_LeavesTheTrainerAndAFittedModelAsTheyWere()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Digits(ml, 300);
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 2, Seed = 8 };
        using var alone = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(data);
        var trainer = ml.MulticlassClassification.Trainers.ConvNet(options);
        trainer.FindLearningRate(data);
        using var after = trainer.Fit(data);
        CollectionAssert.AreEqual(TestData.Weights(alone), TestData.Weights(after), "a Fit after the search is the Fit without it");

        var before = TestData.Weights(alone);
        var found = trainer.FindLearningRate(data, modelParameters: alone.Model);
        Assert.IsGreaterThan(10, found.Rates.Count);
        CollectionAssert.AreEqual(before, TestData.Weights(alone), "searching from a fitted model leaves its weights alone");
    }

    [TestMethod]
    public void TheValley_IsTwoThirdsDownTheLongestFall_AsFastaiComputesIt()
    {
        // 50 points: flat at 2, falling by 0.05 from index 10 to 39, rising after. Without the first tenth (5) and the
        // last five, the longest fall runs from index 9 (a 2) to 39; fastai's start is one before it (8): the valley
        // is 8 + int(31 / 3) + int(31 / 6) = 8 + 10 + 5.
        var losses = Enumerable.Range(0, 50).Select(i => i < 10 ? 2.0 : i < 40 ? 2.0 - 0.05 * (i - 9) : 0.5 + 0.1 * (i - 39)).ToArray();
        Assert.AreEqual(23, LearningRateFinding.ValleyIndex(losses));
        var rates = Enumerable.Range(0, 50).Select(i => Math.Pow(10, -7 + i * 0.1)).ToArray();
        int steepest = LearningRateFinding.SteepestIndex(rates, losses);
        Assert.IsTrue(steepest is >= 10 and < 40, "the steepest fall is inside the fall");
    }
}
