using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>
/// The binary, regression and tagging trainers through the rest of the library, as the multiclass one goes: an imported
/// network fine-tuned with a head of the task's outputs, augmentation with early stopping on the validation loss,
/// checkpoints and an exact resume, a warm start that carries on bit for bit, and streaming.
/// </summary>
[TestClass]
public sealed class TaskEverywhereTests
{
    public static IEnumerable<object[]> Tasks => [["binary"], ["regression"], ["tagging"]];

    private static (IDataView Data, int Outputs) Data(MLContext ml, string task, int rows, int seed = 1) => task switch
    {
        "binary" => (TaskData.Load(ml, rows, seed), 1),
        "regression" => (TaskData.ForRegression(ml, rows, seed), 1),
        _ => (TagData.Load(ml, rows, seed), 3),
    };

    private static ConvNetTrainer Trainer(MLContext ml, string task, ConvNetTrainer.Options options) => task switch
    {
        "binary" => ml.BinaryClassification.Trainers.ConvNet(options),
        "regression" => ml.Regression.Trainers.ConvNet(options),
        _ => ml.MulticlassClassification.Trainers.ConvNetMultiLabel(options),
    };

    private static string ExportedSimpleConvNet()
    {
        string path = Path.Combine(TestData.TempDirectory(), "simple.onnx");
        var ml = TrainedModels.Ml;
        ml.Model.ConvertToStrictOnnx(TrainedModels.SimpleConvNet, ml.Data.LoadFromEnumerable(new List<Image>()), path);
        return path;
    }

    private sealed class Image
    {
        [VectorType(784)] public float[] Features { get; set; }
    }

    private static readonly Lazy<string> Imported = new(ExportedSimpleConvNet);

    [TestMethod]
    [DynamicData(nameof(Tasks))]
    public void AnImportedNetwork_FineTunes_WithAHeadOfTheTasksOutputs_AndItsBackboneAsImported(string task)
    {
        var imported = OnnxNetwork.Import(Imported.Value, new OnnxImportOptions { Name = "ImportedForTasks" });
        ArchitectureRegistry.Register(imported, replace: true);
        var ml = new MLContext(seed: 1);
        var (data, outputs) = Data(ml, task, 300);
        // One epoch, the head's: the imported layers stay frozen as they came.
        using var model = Trainer(ml, task, new ConvNetTrainer.Options { Architecture = "ImportedForTasks", Epochs = 1, FineTuning = new FineTuning { HeadEpochs = 1 } }).Fit(data);
        Assert.AreEqual(outputs, model.NumberOfClasses, "the head has the task's outputs");
        var before = imported.GetPretrainedWeights(imported.InputShape)!.ToDictionary(w => w.Name, w => w.Values);
        var after = model.Model.GetWeights().ToDictionary(w => w.Name, w => w.Values);
        var first = imported.Layers[0].Name + ".weight";
        CollectionAssert.AreEqual(before[first], after[first], "the imported first convolution, frozen in the head's epoch");
        var last = imported.Layers.Last(l => l is Dense).Name + ".weight";
        Assert.AreEqual(outputs * 64, after[last].Length, "a new last layer of the task's outputs");
        Assert.IsTrue(model.History[0].Loss is > 0 and < 10 && double.IsFinite(model.History[0].Loss), $"loss {model.History[0].Loss}");
    }

    [TestMethod]
    [DynamicData(nameof(Tasks))]
    public void AugmentedWithEarlyStopping_CancelledAndResumed_GivesTheUninterruptedRunsWeights(string task)
    {
        string folder = TestData.TempDirectory();
        ConvNetTrainer.Options Options(string checkpoints, CancellationToken token = default, IProgress<TrainingProgress> progress = null) => new()
        {
            Architecture = "TinyNet", Epochs = 3, Seed = 5, ValidationFraction = 0.2, EarlyStopping = true, Patience = 5,
            Augmentation = ImageAugmentation.Digits, CheckpointDirectory = checkpoints, ResumeFromCheckpoint = true, CancellationToken = token, Progress = progress,
        };
        var ml = new MLContext(seed: 1);
        var (data, _) = Data(ml, task, 300);
        using var uninterrupted = Trainer(ml, task, Options(Path.Combine(folder, "a"))).Fit(data);
        Assert.IsTrue(uninterrupted.History.All(h => h.ValidationLoss is double v && double.IsFinite(v)), "validated every epoch");

        using var cancel = new CancellationTokenSource();
        var progress = new Training.SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 3 && p.Batch == 1) cancel.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => Trainer(ml, task, Options(Path.Combine(folder, "b"), cancel.Token, progress)).Fit(data));
        using var resumed = Trainer(ml, task, Options(Path.Combine(folder, "b"))).Fit(data);
        CollectionAssert.AreEqual(TestData.Weights(uninterrupted), TestData.Weights(resumed));
        CollectionAssert.AreEqual(uninterrupted.History.Select(h => (h.Loss, h.ValidationLoss)).ToList(), resumed.History.Select(h => (h.Loss, h.ValidationLoss)).ToList());
    }

    [TestMethod]
    [DynamicData(nameof(Tasks))]
    public void AWarmStart_OfOneAndOneEpochs_GivesTheWeightsOfTwo(string task)
    {
        var ml = new MLContext(seed: 1);
        var (data, _) = Data(ml, task, 200);
        ConvNetTrainer.Options Options(int epochs) => new() { Architecture = "TinyNet", Epochs = epochs, Seed = 3 };
        using var straight = Trainer(ml, task, Options(2)).Fit(data);
        using var first = Trainer(ml, task, Options(1)).Fit(data);
        using var second = Trainer(ml, task, Options(1)).Fit(data, first.Model);
        CollectionAssert.AreEqual(TestData.Weights(straight), TestData.Weights(second));
        Assert.AreEqual(first.Task.ToString(), second.Task.ToString(), "the task, with what it learned from the labels, carries on");
    }

    [TestMethod]
    [DynamicData(nameof(Tasks))]
    public void DataOverTheMemoryBudget_Streams_AndLearns(string task)
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var (data, _) = Data(ml, task, 400);
        var (validation, _) = Data(ml, task, 100, seed: 2);
        using var model = Trainer(ml, task, new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 2, InMemoryBudgetBytes = 0, ValidationSet = validation }).Fit(data);
        Assert.IsTrue(messages.Any(m => m.Contains("Streaming 400 training images")), "it streamed");
        // Below what predicting without the image scores: ln 2 for a fair coin's cross-entropy, 1 for the mean in standardised units.
        double blind = task == "regression" ? 1 : Math.Log(2);
        var losses = model.History.Select(h => h.ValidationLoss ?? double.NaN).ToArray();
        Assert.IsTrue(losses[1] < losses[0] && losses[1] < blind, $"validation losses {string.Join(", ", losses)}");
        Assert.IsTrue(model.History.All(h => double.IsFinite(h.Loss)));
    }
}
