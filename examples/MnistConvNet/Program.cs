// Trains both seed architectures on MNIST, in the style of ML.NET's samples:
//   dotnet run --project examples/MnistConvNet -c Release -- --data ../shared/data/mnist
// then evaluates each saved .zip again in a fresh process (`evaluate MODEL.zip...`).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Training;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
try
{
    return Run(args);
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

static int Run(string[] args)
{
var arguments = CommandLine.Parse(args);
if (arguments.Command == "evaluate")
    return EvaluateSavedModels(arguments);
if (arguments.Command == "score")
    return WriteScores(arguments);
if (arguments.Command == "export-png")
    return ExportPngs(arguments);
if (arguments.Command == "images")
    return TrainFromImages(arguments);
if (arguments.Command == "early-stopping")
    return CompareEarlyStopping(arguments);

var ml = new MLContext(seed: arguments.Seed);
ml.Log += (_, e) =>
{
    // The trainer reports through the MLContext; show its own messages, not every ML.NET component's.
    if (e.Source.StartsWith("ConvNetTrainer", StringComparison.Ordinal) && e.Kind is ChannelMessageKind.Info or ChannelMessageKind.Warning && !e.Message.Contains("Model: \""))
        Console.WriteLine("  " + e.Message[(e.Message.IndexOf("] ", StringComparison.Ordinal) + 2)..]);
};

Console.WriteLine($"MNIST from {Path.GetFullPath(arguments.DataDirectory)}");
IDataView train = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows);
IDataView test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test);

var saved = new List<(string Path, double Accuracy)>();
foreach (var architecture in arguments.Architectures)
{
    var options = new ConvNetTrainer.Options
    {
        Architecture = architecture,
        Epochs = arguments.Epochs,
        // Resident memory after each epoch: with a dispose scope per batch it stays flat.
        EpochEnded = e => Console.WriteLine($"  memory after epoch {e.Epoch}: {Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024)} MiB resident"),
        Progress = Console.IsOutputRedirected ? null : new ProgressBar(),
    };
    Console.WriteLine();
    Console.WriteLine($"=== {architecture} ===");
    Console.WriteLine(options.GetSummary());

    var pipeline = ml.MulticlassClassification.Trainers.ConvNet(options)
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel"));
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

static int EvaluateSavedModels(CommandLine arguments)
{
    var ml = new MLContext(seed: 1);
    var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test);
    foreach (var path in arguments.Models)
    {
        var model = ml.Model.Load(path, out _);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Console.WriteLine($"{Path.GetFileName(path)}: micro-accuracy {metrics.MicroAccuracy:P2}, macro-accuracy {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F4}");
    }
    return 0;
}

// Writes every Score vector of the test split (or its first --max-test-rows rows) as raw float32,
// so that another process can compare them bit for bit.
static int WriteScores(CommandLine arguments)
{
    var ml = new MLContext(seed: 1);
    var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
    var model = ml.Model.Load(arguments.Models.Single(), out _);
    var scores = model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
    File.WriteAllBytes(arguments.ScoresOut, System.Runtime.InteropServices.MemoryMarshal.AsBytes(scores.AsSpan()).ToArray());
    return 0;
}

// Writes a split as PNG files in the class-folder layout: OUT/<digit>/<split>-<index>.png.
static int ExportPngs(CommandLine arguments)
{
    var split = arguments.Split;
    var data = MnistDataset.ReadSplit(arguments.DataDirectory, split, split == MnistSplit.Train ? arguments.MaxTrainRows : arguments.MaxTestRows);
    int written = MnistPngExporter.Export(data, arguments.OutputDirectory, split.ToString().ToLowerInvariant());
    Console.WriteLine($"Wrote {written:N0} PNG files of the {split} split to {Path.GetFullPath(arguments.OutputDirectory)}.");
    return 0;
}

// The image-file route end to end: export both splits as PNG, train from the image files through the
// ImageAnalytics pipeline, then score the test split both as PNG files and as IDX records with the same
// network. The pixels are the same, so the accuracies must agree.
static int TrainFromImages(CommandLine arguments)
{
    var ml = new MLContext(seed: arguments.Seed);
    string images = Path.Combine(arguments.OutputDirectory, "png");
    foreach (var split in new[] { MnistSplit.Train, MnistSplit.Test })
    {
        var data = MnistDataset.ReadSplit(arguments.DataDirectory, split, split == MnistSplit.Train ? arguments.MaxTrainRows : arguments.MaxTestRows);
        string folder = Path.Combine(images, split.ToString().ToLowerInvariant());
        Console.WriteLine($"Exporting {data.Labels.Length:N0} {split} images to {folder}");
        MnistPngExporter.Export(data, folder, split.ToString().ToLowerInvariant());
    }

    var train = ImageFolder.Load(ml, Path.Combine(images, "train"));
    var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);
    string architecture = arguments.Architectures[0];
    var pipeline = ml.Transforms.ConvNetImageFeatures()
        .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = arguments.Epochs }))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var clock = Stopwatch.StartNew();
    var model = pipeline.Fit(keys.Transform(train));
    Console.WriteLine($"Trained {architecture} from PNG files in {clock.Elapsed.TotalSeconds:F1} s.");

    var fromPngs = ml.MulticlassClassification.Evaluate(model.Transform(keys.Transform(ImageFolder.Load(ml, Path.Combine(images, "test")))));
    var convNet = model.OfType<ConvNetTransformer>().Single();
    var fromIdx = ml.MulticlassClassification.Evaluate(convNet.Transform(MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows)));
    double gap = Math.Abs(fromPngs.MicroAccuracy - fromIdx.MicroAccuracy) * 100;
    Console.WriteLine($"Test accuracy from PNG files: {fromPngs.MicroAccuracy:P2}; from IDX records, same network: {fromIdx.MicroAccuracy:P2}; difference {gap:F2} percentage points.");

    string path = Path.Combine(arguments.OutputDirectory, "digits.zip");
    ml.Model.Save(model, train.Schema, path);
    Console.WriteLine($"Saved {path}: it takes an ImagePath and returns PredictedLabel. Try: dotnet run --project examples/DigitPredictor -- {path} {Path.Combine(images, "test", "7", "test-00000.png")}");
    return gap <= 0.1 ? 0 : 1;
}

// For each architecture and seed: (a) the tutorial's fixed-epoch run, scored on the test split after every
// epoch (the test split as its validation set, early stopping off), and (b) a run that holds out a share of the
// training rows for validation (--validation-fraction, default 0.05), stops early on validation loss (--patience, default 4) and restores the best
// epoch's weights, halves the learning rate after a validation plateau (--plateau-factor, default 0.5, "none"
// turns it off; --plateau-patience, default 2), with up to twice the tutorial's epochs. Prints the best and the last single-epoch test accuracy of (a) and the test
// accuracy (b) ends with.
static int CompareEarlyStopping(CommandLine arguments)
{
    var seeds = arguments.Seeds;
    Console.WriteLine("| network | seed | fixed run: best epoch's test accuracy | fixed run: last epoch | early stopping: stopped after | restored epoch | test accuracy | at or above the best? |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    int below = 0;
    foreach (var architecture in arguments.Architectures)
    {
        foreach (int seed in seeds)
        {
            var ml = new MLContext(seed);
            var train = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows);
            var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
            var fixedOptions = new ConvNetTrainer.Options { Architecture = architecture, Epochs = arguments.Epochs, ValidationSet = test, EarlyStopping = false };
            using var fixedRun = ml.MulticlassClassification.Trainers.ConvNet(fixedOptions).Fit(train);
            double best = fixedRun.History.Max(h => h.ValidationAccuracy.Value);
            double last = fixedRun.History[^1].ValidationAccuracy.Value;

            int maxEpochs = 2 * (arguments.Epochs ?? fixedRun.Architecture.DefaultEpochs);
            var stoppingOptions = new ConvNetTrainer.Options
            {
                Architecture = architecture, Epochs = maxEpochs, ValidationFraction = arguments.ValidationFraction, Patience = arguments.Patience,
                LearningRateSchedule = arguments.PlateauFactor is double factor ? LearningRateSchedule.ReduceOnPlateau(factor: factor, patience: arguments.PlateauPatience) : LearningRateSchedule.Constant,
            };
            using var stopped = ml.MulticlassClassification.Trainers.ConvNet(stoppingOptions).Fit(train);
            double accuracy = ml.MulticlassClassification.Evaluate(stopped.Transform(test)).MicroAccuracy;
            bool atOrAbove = accuracy >= best;
            below += atOrAbove ? 0 : 1;
            Console.WriteLine($"| {architecture} | {seed} | {best:P2} | {last:P2} | {stopped.History.Count} of {maxEpochs} epochs | {stopped.FinalEpoch} | {accuracy:P2} | {(atOrAbove ? "yes" : $"no, {(best - accuracy) * 100:F2} points below")} |");
        }
    }
    return below == 0 ? 0 : 1;
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

/// <summary>The example's command line.</summary>
internal sealed record CommandLine(string Command, string DataDirectory, string OutputDirectory, string[] Architectures, int? Epochs, int? MaxTrainRows, int? MaxTestRows, string ScoresOut, int Seed, List<string> Models, MnistSplit Split, int[] Seeds, int Patience, double? PlateauFactor, int PlateauPatience, double ValidationFraction)
{
    public static CommandLine Parse(string[] args)
    {
        string command = args.Length > 0 && args[0] is "evaluate" or "score" or "export-png" or "images" or "early-stopping" ? args[0] : "train";
        int[] seeds = [1, 2, 3];
        int patience = 4, plateauPatience = 2;
        double validationFraction = 0.05;
        double? plateauFactor = 0.5;
        var split = MnistSplit.Test;
        string data = Environment.GetEnvironmentVariable(MnistDataset.DataEnvironmentVariable);
        string output = "models";
        string[] architectures = ["SimpleConvNet", "LeNot"];
        int? epochs = null, maxRows = null, maxTestRows = null;
        string scoresOut = null;
        int seed = 1;
        var models = new List<string>();
        for (int i = command == "train" ? 0 : 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": data = Value(); break;
                case "--out": output = Value(); break;
                case "--architectures": architectures = Value().Split(','); break;
                case "--epochs": epochs = int.Parse(Value()); break;
                case "--max-train-rows": maxRows = int.Parse(Value()); break;
                case "--max-test-rows": maxTestRows = int.Parse(Value()); break;
                case "--scores-out": scoresOut = Value(); break;
                case "--seed": seed = int.Parse(Value()); break;
                case "--split": split = Enum.Parse<MnistSplit>(Value(), ignoreCase: true); break;
                case "--seeds": seeds = Value().Split(',').Select(int.Parse).ToArray(); break;
                case "--patience": patience = int.Parse(Value()); break;
                case "--plateau-patience": plateauPatience = int.Parse(Value()); break;
                case "--validation-fraction": validationFraction = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--plateau-factor": string f = Value(); plateauFactor = f == "none" ? null : double.Parse(f, CultureInfo.InvariantCulture); break;
                default:
                    if (command != "train" && !args[i].StartsWith("--"))
                        models.Add(args[i]);
                    else
                        throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--data DIR] [--out DIR] [--architectures A,B] [--epochs N] [--max-train-rows N] [--seed N] | evaluate --data DIR MODEL.zip... | score --data DIR [--max-test-rows N] --scores-out FILE MODEL.zip | export-png --data DIR --split train|test --out DIR | images --data DIR [--architectures A] [--epochs N] --out DIR | early-stopping --data DIR [--seeds 1,2,3]");
                    break;
            }
        }
        if (string.IsNullOrWhiteSpace(data))
        {
            // Like keras.datasets.mnist.load_data(): the per-user cache, downloading into it if needed.
            data = MnistDataset.Locate(new MLContext(), null, MnistSplit.Train);
            MnistDataset.Locate(new MLContext(), null, MnistSplit.Test);
        }
        Directory.CreateDirectory(output);
        return new CommandLine(command, data, output, architectures, epochs, maxRows, maxTestRows, scoresOut, seed, models, split, seeds, patience, plateauFactor, plateauPatience, validationFraction);
    }
}

/// <summary>A one-line progress bar on the console, driven by the trainer's per-batch progress reports.</summary>
internal sealed class ProgressBar : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress p)
    {
        const int width = 30;
        int filled = (int)Math.Round(width * (double)p.Batch / p.Batches);
        Console.Write($"\r  epoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] {p.Batch}/{p.Batches} " +
            $"loss {p.Loss:F4} accuracy {p.Accuracy:P1} lr {p.LearningRate:G3} elapsed {p.Elapsed:mm\\:ss} left {p.Remaining:mm\\:ss}   ");
        if (p.Batch == p.Batches)
            Console.Write("\r" + new string(' ', 120) + "\r");
    }
}
