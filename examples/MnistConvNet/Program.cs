// Trains both seed architectures on MNIST, in the style of ML.NET's samples:
//   dotnet run --project examples/MnistConvNet -c Release -- --data ../shared/data/mnist
// then evaluates each saved .zip again in a fresh process (`evaluate MODEL.zip...`).
using Microsoft.ML.Runtime;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
try
{
    return CommandLine.Invoke(args, Run);
}
catch (Exception e) when (Explained(e) is { } error)
{
    // The library's errors say what was expected and what to do; show them, not a stack trace.
    // (ML.NET's Model.Load wraps a loader's exception in TargetInvocationException.)
    Console.Error.WriteLine($"error: {error.Message}");
    return 2;
}

static Exception Explained(Exception e)
{
    for (var x = e; x is not null; x = x.InnerException)
    {
        if (x is ConvNetNativeException or MnistNotFoundException or ArgumentException or IOException or InvalidOperationException)
            return x;
    }
    return null;
}

static int Run(CommandLine arguments)
{
if (arguments.Command == "evaluate")
    return SavedModelCommands.EvaluateSavedModels(arguments);
if (arguments.Command == "score")
    return SavedModelCommands.WriteScores(arguments);
if (arguments.Command == "export-onnx")
    return SavedModelCommands.ExportOnnx(arguments);
if (arguments.Command == "export-png")
    return ImageCommands.ExportPngs(arguments);
if (arguments.Command == "shapes")
    return ImageCommands.TrainOnShapes(arguments);
if (arguments.Command == "images")
    return ImageCommands.TrainFromImages(arguments);
if (arguments.Command == "report")
    return ReportCommand.Write(arguments);
if (arguments.Command == "recipe")
    return RecipeCommand.Compare(arguments);
if (arguments.Command == "transfer")
    return TransferCommand.Compare(arguments);
if (arguments.Command == "tasks")
    return TasksCommand.Run(arguments);
if (arguments.Command == "tagging")
    return TaggingCommand.Run(arguments);
if (arguments.Command == "warm-start")
    return WarmStartCommand.Compare(arguments);
if (arguments.Command == "early-stopping")
    return EarlyStoppingCommand.CompareEarlyStopping(arguments);

var ml = new MLContext(seed: arguments.Seed);
ml.Log += (_, e) =>
{
    // The trainer reports through the MLContext; show its own messages, not every ML.NET component's.
    if (e.Source.StartsWith("ConvNetTrainer", StringComparison.Ordinal) && e.Kind is ChannelMessageKind.Info or ChannelMessageKind.Warning && !e.Message.Contains("Model: \""))
        Console.WriteLine("  " + e.Message[(e.Message.IndexOf("] ", StringComparison.Ordinal) + 2)..]);
};

// Everything that can be refused is checked before anything is printed: the data, then every trainer's options.
IDataView train = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows);
IDataView test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test);
var trainers = arguments.Architectures.Select(architecture => (Architecture: architecture, Trainer: ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options
{
    Architecture = architecture,
    Epochs = arguments.Epochs,
    // Resident memory after each epoch: with a dispose scope per batch it stays flat.
    EpochEnded = e => Console.WriteLine($"  memory after epoch {e.Epoch}: {Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024)} MiB resident"),
    Progress = Console.IsOutputRedirected ? null : new ProgressBar(),
}))).ToList();
Console.WriteLine($"MNIST from {Path.GetFullPath(arguments.DataDirectory)}");

var saved = new List<(string Path, double Accuracy)>();
foreach (var (architecture, trainer) in trainers)
{
    Console.WriteLine();
    Console.WriteLine($"=== {architecture} ===");
    Console.WriteLine(ArchitectureRegistry.Get(architecture).GetSummary());

    var pipeline = trainer.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel"));
    var clock = Stopwatch.StartNew();
    var model = pipeline.Fit(train);
    var convNet = (ConvNetTransformer)model.First();
    Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s; mean {convNet.History.Average(h => h.Seconds):F2} s per epoch over {convNet.History.Count} epochs.");

    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    PrintMetrics(architecture, metrics);

    string path = Path.Combine(arguments.OutputDirectory, architecture.ToLowerInvariant() + ".zip");
    ml.Model.Save(model, train.Schema, path);
    Console.WriteLine($"Saved {path} ({new FileInfo(path).Length / 1024.0:F0} KiB).");
    saved.Add((path, metrics.MicroAccuracy));

    ShowPredictions(ml, path, arguments.DataDirectory);
}

// A fresh process loads each .zip and must report the same accuracy.
Console.WriteLine();
Console.WriteLine("=== Loading the saved models in a fresh process ===");
var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
    start.ArgumentList.Add(typeof(CommandLine).Assembly.Location); // run as `dotnet MnistConvNet.dll`
foreach (var argument in new[] { "evaluate", "--data", arguments.DataDirectory }.Concat(saved.Select(s => s.Path)))
    start.ArgumentList.Add(argument);
var child = Process.Start(start)!;
string output = child.StandardOutput.ReadToEnd();
child.WaitForExit();
Console.Write(output);
bool same = child.ExitCode == 0;
foreach (var (path, accuracy) in saved)
{
    string expected = $"{Path.GetFileName(path)}: micro-accuracy {accuracy:P2}";
    bool found = output.Contains(expected, StringComparison.Ordinal);
    same &= found;
    Console.WriteLine($"{(found ? "same" : "DIFFERENT")} accuracy after loading {Path.GetFileName(path)} in a fresh process ({accuracy:P2}).");
}
return same ? 0 : 1;
}

static void PrintMetrics(string name, MulticlassClassificationMetrics metrics)
{
    Console.WriteLine($"Test metrics for {name}:");
    Console.WriteLine($"  micro-accuracy {metrics.MicroAccuracy:P2}");
    Console.WriteLine($"  macro-accuracy {metrics.MacroAccuracy:P2}");
    Console.WriteLine($"  log-loss       {metrics.LogLoss:F4}");
    Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
}

static void ShowPredictions(MLContext ml, string path, string dataDirectory)
{
    var loaded = ml.Model.Load(path, out _);
    var engine = ml.Model.CreatePredictionEngine<DigitInput, DigitPrediction>(loaded);
    var digits = MnistDataset.ReadSplit(dataDirectory, MnistSplit.Test, maxRows: 8);
    Console.Write("Predictions of the loaded model on the first test images (true -> predicted):");
    for (int i = 0; i < digits.Labels.Length; i++)
    {
        var pixels = digits.Images.Pixels.AsSpan(i * 784, 784);
        var input = new DigitInput { Features = pixels.ToArray().Select(p => p * MnistDataset.PixelScale).ToArray() };
        var prediction = engine.Predict(input);
        Console.Write($" {digits.Labels[i]}->{prediction.PredictedDigit} ({prediction.Score.Max():P0})");
    }
    Console.WriteLine();
}

/// <summary>One image, as the pipeline reads it.</summary>
public sealed class DigitInput
{
    [VectorType(784)]
    public float[] Features { get; set; }
}

/// <summary>What the pipeline predicts for one image.</summary>
public sealed class DigitPrediction
{
    public string PredictedDigit { get; set; }
    public float[] Score { get; set; }
}
