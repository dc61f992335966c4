using MLNet.ConvNet.Training;

namespace MLNet.ConvNet.Tests.Training;

[TestClass]
public sealed class ScheduleTests
{
    private static readonly IReadOnlyList<EpochMetrics> NoHistory = [];

    private static double Rate(LearningRateSchedule schedule, int epoch, int batch = 0, int batches = 10, int epochs = 10, IReadOnlyList<EpochMetrics> history = null)
        => schedule.Rate(0.1, epoch, batch, batches, epochs, history ?? NoHistory, hasValidation: false);

    [TestMethod]
    public void Step_DividesEveryStepSizeEpochs()
    {
        var step = LearningRateSchedule.Step(stepSize: 2, gamma: 0.5);
        CollectionAssert.AreEqual(new[] { 0.1, 0.1, 0.05, 0.05, 0.025 }, Enumerable.Range(1, 5).Select(e => Rate(step, e)).ToArray());
    }

    [TestMethod]
    public void Exponential_MultipliesEveryEpoch()
    {
        var exponential = LearningRateSchedule.Exponential(0.9);
        Assert.AreEqual(0.1, Rate(exponential, 1), 1e-15);
        Assert.AreEqual(0.1 * 0.9 * 0.9, Rate(exponential, 3), 1e-15);
    }

    [TestMethod]
    public void ReduceOnPlateau_ReducesAfterPatienceEpochsWithoutImprovement_FromTheHistoryAlone()
    {
        var plateau = LearningRateSchedule.ReduceOnPlateau(factor: 0.5, patience: 2, minDelta: 0);
        double[] losses = [1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.72];
        var history = losses.Select((l, i) => new EpochMetrics(i + 1, l, 0, 0.1, 1)).ToList();
        // Epoch 3 and 4 fail to beat 0.8: reduce before epoch 5; 0.7 improves; 6 and 7 do not: reduce before 8.
        double[] expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025];
        CollectionAssert.AreEqual(expected, Enumerable.Range(1, 8).Select(e => Rate(plateau, e, history: history)).ToArray());
    }

    [TestMethod]
    public void OneCycle_ClimbsToThePeakThenFallsFarBelowTheStart()
    {
        var cycle = LearningRateSchedule.OneCycle(maxLearningRate: 1.0, warmupFraction: 0.3, divFactor: 25, finalDivFactor: 1e4);
        const int epochs = 10, batches = 10;
        var rates = Enumerable.Range(1, epochs).SelectMany(e => Enumerable.Range(0, batches).Select(b => Rate(cycle, e, b, batches, epochs))).ToList();
        Assert.AreEqual(1.0 / 25, rates[0], 1e-12);
        Assert.AreEqual(1.0, rates.Max(), 1e-3);
        Assert.AreEqual(1.0 / 25 / 1e4, rates[^1], 1e-12);
        int peak = rates.IndexOf(rates.Max());
        Assert.IsTrue(peak is >= 28 and <= 31, $"The peak should come 30% of the way in, at batch {peak}.");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    public void Step_WithoutAPositiveStepSize_IsRefused(int stepSize)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(stepSize));
        StringAssert.Contains(error.Message, "stepSize must be at least 1 epoch");
    }
}
