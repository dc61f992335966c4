using MLNet.ConvNet.Tasks;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>Platt's fit on scores whose true calibration is known: it finds the slope and offset that made the labels.</summary>
[TestClass]
public sealed class PlattCalibrationTests
{
    [TestMethod]
    [DataRow(2.0, -1.0)]
    [DataRow(0.5, 0.3)]
    [DataRow(1.0, 0.0)]
    public void OnLabelsDrawnFromAKnownSigmoid_TheFitFindsItsSlopeAndOffset(double slope, double offset)
    {
        var random = new Random(7);
        var scores = new float[20_000];
        var labels = new float[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = (float)(random.NextDouble() * 8 - 4);
            double p = 1 / (1 + Math.Exp(-(slope * scores[i] + offset)));
            labels[i] = random.NextDouble() < p ? 1 : 0;
        }
        var (a, b) = PlattCalibration.Fit(scores, labels);
        Assert.AreEqual(slope, a, 0.1 * slope, $"slope {a}");
        Assert.AreEqual(offset, b, 0.1, $"offset {b}");
    }

    [TestMethod]
    public void OneClassOnly_OrNoScores_LeavesTheSigmoidAsItIs()
    {
        Assert.AreEqual((1.0, 0.0), PlattCalibration.Fit([1f, 2f, 3f], [1f, 1f, 1f]));
        Assert.AreEqual((1.0, 0.0), PlattCalibration.Fit([], []));
    }

    [TestMethod]
    public void PerfectlySeparatedScores_GiveFiniteParameters()
    {
        var (a, b) = PlattCalibration.Fit([-3f, -2f, -1f, 1f, 2f, 3f], [0f, 0f, 0f, 1f, 1f, 1f]);
        Assert.IsTrue(double.IsFinite(a) && double.IsFinite(b) && a > 0, $"slope {a}, offset {b}");
    }
}
