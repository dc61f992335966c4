using Microsoft.ML;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet.Tests.Training;

[TestClass]
public sealed class TrainingTests
{
    public static IEnumerable<object[]> Registered => TestSetup.RegisteredArchitectures;

    [TestMethod]
    [DynamicData(nameof(Registered))]
    public void ShortRunOnGeneratedDigits_ClearlyLearns(string architecture)
    {
        var ml = new MLContext(seed: 1);
        var epochs = new List<EpochMetrics>();
        var options = new ConvNetTrainer.Options { Architecture = architecture, Epochs = 3, EpochEnded = epochs.Add };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 2000));

        Assert.AreEqual(3, model.History.Count);
        CollectionAssert.AreEqual(epochs, model.History.ToList());
        Assert.IsTrue(model.History[^1].Loss < model.History[0].Loss, $"Loss did not fall: {string.Join(", ", model.History.Select(h => h.Loss))}");
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(TestData.Digits(ml, 500, seed: 2)));
        // Chance is 10%; three epochs on 2,000 generated digits reach 90% and more.
        Assert.IsTrue(metrics.MicroAccuracy > 0.8, $"{architecture} reached only {metrics.MicroAccuracy:P1} on other generated digits.");
    }

    [TestMethod]
    [TestCategory("Integration")] // reads MNIST
    [DataRow("SimpleConvNet")]
    [DataRow("LeNot")]
    public void ShortRunOnAnMnistSlice_ClearlyLearns(string architecture)
    {
        var ml = new MLContext(seed: 1);
        var options = new ConvNetTrainer.Options { Architecture = architecture, Epochs = 3 };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Train(ml, 3000));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(TestData.Test(ml, 1000)));
        // Chance is 10%; three epochs on 3,000 MNIST images reach about 90%.
        Assert.IsTrue(metrics.MicroAccuracy > 0.8, $"{architecture} reached only {metrics.MicroAccuracy:P1} on the MNIST test slice.");
    }

    [TestMethod]
    public void SameSeed_GivesIdenticalWeights_AndAnotherSeedDoesNot()
    {
        float[] Train(int seed)
        {
            var ml = new MLContext(seed);
            using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(TestData.Digits(ml, 512));
            return TestData.Weights(model);
        }

        var first = Train(7);
        CollectionAssert.AreEqual(first, Train(7));
        CollectionAssert.AreNotEqual(first, Train(8));
    }

    [TestMethod]
    public void Training_ReportsThroughTheMLContextLog_SummaryOnceAndEveryEpoch()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 2).Fit(TestData.Digits(ml, 256));
        Assert.AreEqual(1, messages.Count(m => m.Contains("Model: \"SimpleConvNet\"")));
        Assert.AreEqual(1, messages.Count(m => m.Contains("Epoch 1/2: loss ")));
        Assert.AreEqual(1, messages.Count(m => m.Contains("Epoch 2/2: loss ")));
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void AllocatorTuning_IsAStepTheTrainerTakes_AndSaysWhatItDid(bool tune)
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Epochs = 1, TuneAllocator = tune }).Fit(TestData.Digits(ml, 128));
        string line = messages.Single(m => m.Contains("Training SimpleConvNet on 1x28x28 images for 1 epoch,"));
        if (tune)
            StringAssert.Contains(line, OperatingSystem.IsLinux() ? "allocator: glibc mmap threshold 32 MiB, trim threshold 512 MiB, 2 arenas" : "allocator: not tuned (not Linux)");
        else
            StringAssert.Contains(line, "allocator: not tuned (TuneAllocator is off)");
        StringAssert.Contains(line, "RMSprop(rho 0.9, epsilon 1E-07, weight decay 0) with learning rate 0.001");
    }

    [TestMethod]
    public void TheSettingsLine_ReadsAsWords_WithSingularsAndTheEarlyStoppingRule()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var options = new ConvNetTrainer.Options { Epochs = 1, NumberOfThreads = 1, ValidationFraction = 0.2, Patience = 2 };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 128));
        string line = messages.Single(m => m.Contains("Training SimpleConvNet on "));
        StringAssert.Contains(line, "Training SimpleConvNet on 1x28x28 images for 1 epoch, batch 128");
        StringAssert.Contains(line, "augmentation none");
        StringAssert.Contains(line, "early stopping on ValidationLoss, patience 2, min delta 0, restoring the best weights");
        StringAssert.Contains(line, "1 thread on cpu");
        Assert.IsFalse(line.Contains("EarlyStoppingSettings {"), line);
    }

    [TestMethod]
    public void Options_AreReadOnce_WhenTheTrainerIsCreated()
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1 };
        var trainer = ml.MulticlassClassification.Trainers.ConvNet(options);
        options.Architecture = "SimpleConvNet";
        options.BatchSize = 0;
        Assert.AreEqual("LeNot", trainer.Architecture.Name);
        using var model = trainer.Fit(TestData.Digits(ml, 128));
        Assert.AreEqual("LeNot", model.ArchitectureName);
        Assert.AreEqual(1, model.History.Count);
    }

    [TestMethod]
    public void CancellingTheToken_StopsTrainingWithinABatch()
    {
        var ml = new MLContext(1);
        using var source = new CancellationTokenSource();
        int epochsSeen = 0;
        var options = new ConvNetTrainer.Options { Epochs = 3, CancellationToken = source.Token, EpochEnded = _ => { epochsSeen++; source.Cancel(); } };
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 256)));
        Assert.AreEqual(1, epochsSeen);
    }

    [TestMethod]
    public void Summary_IsAvailableFromTheArchitectureTheTrainerAndTheFittedTransformer()
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1 };
        string fromArchitecture = ArchitectureRegistry.Get("LeNot").GetSummary();
        StringAssert.Contains(fromArchitecture, "Total params: 61,706");
        var trainer = ml.MulticlassClassification.Trainers.ConvNet(options);
        Assert.AreEqual(fromArchitecture, trainer.Architecture.GetSummary(numberOfClasses: 10));
        using var model = trainer.Fit(TestData.Digits(ml, 128));
        Assert.AreEqual(fromArchitecture, model.Summary);
    }
}
