using Microsoft.ML;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// Every optimizer trains, checks its settings, and describes itself. The cases below must cover every optimizer the
/// library has: a new one fails <see cref="EveryOptimizer_HasACase"/> until it gets a row here.
/// </summary>
[TestClass]
public sealed class OptimizerTests
{
    /// <summary>Each optimizer with a learning rate it trains well at in two short epochs.</summary>
    public static IEnumerable<object[]> Cases =>
    [
        [new RMSpropOptimizer(), 0.001],
        [new AdamOptimizer(), 0.001],
        [new AdamWOptimizer(), 0.001],
        [new SgdOptimizer(momentum: 0.9, nesterov: true), 0.05],
    ];

    public static string Name(System.Reflection.MethodInfo method, object[] row) => $"{method.Name}({row[0]})";

    [TestMethod]
    public void EveryOptimizer_HasACase()
    {
        var types = typeof(ConvNetOptimizer).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ConvNetOptimizer)) && !t.IsAbstract).ToHashSet();
        var covered = Cases.Select(c => c[0].GetType()).ToHashSet();
        Assert.AreEqual(4, types.Count, string.Join(", ", types.Select(t => t.Name)));
        CollectionAssert.AreEquivalent(types.ToList(), covered.ToList());
    }

    [TestMethod]
    [DynamicData(nameof(Cases), DynamicDataDisplayName = nameof(Name))]
    public void EveryOptimizer_Learns(ConvNetOptimizer optimizer, double learningRate)
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Epochs = 2, Optimizer = optimizer, LearningRate = learningRate, Architecture = "LeNot" };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 2000));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(TestData.Digits(ml, 500, seed: 2)));
        // Chance is 10%; two epochs on 2,000 images take every optimizer well past three times that.
        Assert.IsTrue(metrics.MicroAccuracy > 0.3, $"{optimizer} reached {metrics.MicroAccuracy:P1}.");
        Assert.IsTrue(model.History[1].Loss < model.History[0].Loss);
    }

    [TestMethod]
    public void Defaults_AreKerasAndPyTorchDefaults()
    {
        var rms = new RMSpropOptimizer();
        Assert.AreEqual((0.9, 1e-7, 0.0), (rms.Rho, rms.Epsilon, rms.WeightDecay));
        var adam = new AdamOptimizer();
        Assert.AreEqual((0.9, 0.999, 1e-7, 0.0), (adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        Assert.AreEqual(0.01, new AdamWOptimizer().WeightDecay);
        var sgd = new SgdOptimizer();
        Assert.AreEqual((0.0, false, 0.0), (sgd.Momentum, sgd.Nesterov, sgd.WeightDecay));
        Assert.IsInstanceOfType<RMSpropOptimizer>(new ConvNetTrainer.Options().Optimizer);
    }

    [TestMethod]
    public void OutOfRangeSettings_AreRefused_WithTheNameTheRangeAndTheValue()
    {
        void Refused(Func<ConvNetOptimizer> create, string expected)
        {
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => create());
            StringAssert.Contains(error.Message, expected);
        }
        Refused(() => new RMSpropOptimizer(rho: 1), "rho must be in [0, 1); got 1.");
        Refused(() => new RMSpropOptimizer(epsilon: 0), "epsilon must be a positive finite number; got 0.");
        Refused(() => new AdamOptimizer(beta1: -0.1), "beta1 must be in [0, 1); got -0.1.");
        Refused(() => new AdamWOptimizer(beta2: double.NaN), "beta2 must be in [0, 1); got NaN.");
        Refused(() => new AdamWOptimizer(weightDecay: -1), "weightDecay must be 0 or more; got -1.");
        Refused(() => new SgdOptimizer(nesterov: true), "momentum must be above 0 when nesterov is set; got 0.");
    }

    [TestMethod]
    public void ToString_NamesEverySetting_SoTheLogAndCheckpointsTellRunsApart()
    {
        Assert.AreEqual("RMSprop(rho 0.9, epsilon 1E-07, weight decay 0)", new RMSpropOptimizer().ToString());
        Assert.AreEqual("SGD(momentum 0.9, nesterov True, weight decay 0)", new SgdOptimizer(0.9, nesterov: true).ToString());
        Assert.AreNotEqual(new AdamOptimizer().ToString(), new AdamOptimizer(beta2: 0.99).ToString());
    }

    [TestMethod]
    public void NullOptimizer_IsRefusedAtTheCatalogCall()
    {
        var ml = new MLContext(1);
        var error = Assert.ThrowsExactly<ArgumentNullException>(() => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Optimizer = null }));
        Assert.AreEqual("Optimizer", error.ParamName);
    }
}
