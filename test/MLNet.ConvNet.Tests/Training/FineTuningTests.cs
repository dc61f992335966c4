using Microsoft.ML;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// Fine-tuning: the head trains alone first with the pretrained layers frozen, then the pretrained layers train at their
/// own share of the learning rate, and pretrained batch normalisations keep their statistics.
/// </summary>
[TestClass]
public sealed class FineTuningTests
{
    /// <summary>A small "pretrained" network: a convolution and a batch normalisation with fixed weights, and a new head.</summary>
    internal static GraphArchitecture Pretrained(string name)
    {
        var random = new Random(5);
        float[] Values(int n, float offset = 0) => Enumerable.Range(0, n).Select(_ => offset + (float)(random.NextDouble() - 0.5) * 0.4f).ToArray();
        var weights = new List<WeightTensor>
        {
            new("features.weight", [8, 1, 3, 3], Values(72)),
            new("features.bias", [8], Values(8)),
            new("norm.weight", [8], Values(8, 1)),
            new("norm.bias", [8], Values(8)),
            new("norm.running_mean", [8], Values(8, 0.3f)),
            new("norm.running_var", [8], Values(8, 1.5f)),
        };
        return new GraphArchitecture(name, new ImageShape(1, 28, 28),
        [
            new Conv2D(8, 3, strides: 2) { Name = "features", Activation = Activation.Relu, Pretrained = true },
            new BatchNormalization(momentum: 0.5) { Name = "norm", Pretrained = true },
            new GlobalAveragePooling2D { Name = "pool" },
            new Dense(10) { Name = "head", Activation = Activation.Softmax },
        ], defaultEpochs: 1, weights);
    }

    private static Dictionary<string, float[]> Train(string name, ConvNetTrainer.Options options, List<string> log = null)
    {
        ArchitectureRegistry.Register(Pretrained(name), replace: true);
        var ml = new MLContext(seed: 1);
        if (log is not null)
            ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        options.Architecture = name;
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 128));
        return model.Model.GetWeights().ToDictionary(w => w.Name, w => w.Values);
    }

    private static Dictionary<string, float[]> Initial(string name) => Pretrained(name).GetPretrainedWeights(default)!.ToDictionary(w => w.Name, w => w.Values);

    [TestMethod]
    public void TheHeadEpochs_LeaveEveryPretrainedWeightAndStatisticAsItWas()
    {
        var log = new List<string>();
        var after = Train("FrozenFirst", new ConvNetTrainer.Options { Epochs = 1, FineTuning = new FineTuning { HeadEpochs = 1 } }, log);
        var before = Initial("FrozenFirst");
        foreach (var (name, values) in before)
            CollectionAssert.AreEqual(values, after[name], $"{name} moved while the pretrained layers were frozen");
        Assert.IsTrue(log.Any(m => m.Contains("Fine-tuning, epochs 1 to 1: only the new layers train (90 of 186 parameters); the 2 pretrained layers are frozen", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.IsTrue(log.Any(m => m.Contains("Started 6 weight tensors of FrozenFirst from its pretrained weights (2 pretrained layers)", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void AfterTheHeadEpochs_ThePretrainedLayersTrain_AndFrozenBatchNormalisationKeepsItsStatistics()
    {
        var before = Initial("ThenAll");
        var after = Train("ThenAll", new ConvNetTrainer.Options { Epochs = 2, FineTuning = new FineTuning { HeadEpochs = 1 } });
        CollectionAssert.AreNotEqual(before["features.weight"], after["features.weight"], "the convolution trains once unfrozen");
        CollectionAssert.AreNotEqual(before["norm.weight"], after["norm.weight"], "the normalisation's scale trains too");
        CollectionAssert.AreEqual(before["norm.running_mean"], after["norm.running_mean"], "its statistics stay the pretrained ones");
        CollectionAssert.AreEqual(before["norm.running_var"], after["norm.running_var"]);

        var free = Train("StatisticsFree", new ConvNetTrainer.Options { Epochs = 2, FineTuning = new FineTuning { HeadEpochs = 1, FreezeBatchNormalization = false } });
        CollectionAssert.AreNotEqual(before["norm.running_mean"], free["norm.running_mean"], "with FreezeBatchNormalization off they follow the new data");
    }

    [TestMethod]
    public void UnfreezeFrom_KeepsTheEarlierPretrainedLayersFrozen_AndAnUnknownLayerIsRefusedWithTheList()
    {
        var before = Initial("FromNorm");
        var after = Train("FromNorm", new ConvNetTrainer.Options { Epochs = 2, FineTuning = new FineTuning { HeadEpochs = 1, UnfreezeFrom = "norm" } });
        CollectionAssert.AreEqual(before["features.weight"], after["features.weight"], "before 'norm': frozen throughout");
        CollectionAssert.AreNotEqual(before["norm.weight"], after["norm.weight"]);

        var error = Assert.ThrowsExactly<ArgumentException>(() => Train("Unknown", new ConvNetTrainer.Options { Epochs = 1, FineTuning = new FineTuning { UnfreezeFrom = "conv9" } }));
        StringAssert.Contains(error.Message, "FineTuning.UnfreezeFrom is 'conv9', which is no pretrained layer of Unknown. Its pretrained layers, in order: features, norm.");
    }

    [TestMethod]
    public void ThePretrainedLayers_StepAtTheirShareOfTheLearningRate()
    {
        // One plain SGD step on one batch of every row: the pretrained convolution moves by the rate times its gradient,
        // and its gradient is the same in both runs, so half the share moves it exactly half as far.
        ConvNetTrainer.Options Options(double factor) => new()
        {
            Epochs = 1, BatchSize = 128, Shuffle = false, Optimizer = new SgdOptimizer(), LearningRate = 0.5,
            FineTuning = new FineTuning { HeadEpochs = 0, BackboneLearningRateFactor = factor, FreezeBatchNormalization = true },
        };
        var before = Initial("Share");
        var full = Train("Share", Options(1));
        var half = Train("Share", Options(0.5));
        var fullStep = full["features.weight"].Zip(before["features.weight"], (a, b) => a - b).ToArray();
        var halfStep = half["features.weight"].Zip(before["features.weight"], (a, b) => a - b).ToArray();
        Assert.IsTrue(fullStep.Any(d => d != 0));
        for (int i = 0; i < fullStep.Length; i++)
            Assert.AreEqual(fullStep[i] / 2, halfStep[i], 1e-6 + Math.Abs(fullStep[i]) * 1e-4, $"weight {i}");
        CollectionAssert.AreEqual(full["head.weight"], half["head.weight"], "the head steps at the full rate in both");
    }

    [TestMethod]
    public void AFineTuningRun_ResumedFromItsCheckpoint_GivesTheStraightRunsWeights_BitForBit()
    {
        // The head epoch, then two with both optimizer groups: the checkpoint must restore the phase and both groups' state.
        string folder = TestData.TempDirectory();
        ConvNetTrainer.Options Options(int epochs, string checkpoints) => new()
        {
            Epochs = epochs, Seed = 5, CheckpointDirectory = checkpoints, ResumeFromCheckpoint = checkpoints is not null,
            FineTuning = new FineTuning { HeadEpochs = 1, BackboneLearningRateFactor = 0.3 },
        };
        Train("Resumed", Options(2, folder));
        var resumed = Train("Resumed", Options(3, folder));
        var straight = Train("Resumed", Options(3, checkpoints: null));
        foreach (var (name, values) in straight)
            CollectionAssert.AreEqual(values, resumed[name], name);
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void FineTuningSettings_AreCheckedWhenSet()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FineTuning { HeadEpochs = -1 });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FineTuning { BackboneLearningRateFactor = 0 });
        StringAssert.Contains(error.Message, "BackboneLearningRateFactor must be in (0, 1]; got 0");
    }
}
