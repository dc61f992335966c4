// Measures the trainer against a plain TorchSharp loop and, where python3 has torch, PyTorch, on the same
// machine in one run:
//   dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- --data ../shared/data/mnist
// Writes bench/results/latest.json and bench/results/latest.md; docs/benchmarks.md keeps the tables.
// Also: `-- scaling --data DIR` (cost against rows, batch size and threads), `-- profile --data DIR` (a training
// step phase by phase, against the arithmetic it needs), `-- forward` (the bare network's inference speed) and
// `-- onnx --data DIR` (libtorch against ONNX Runtime on the test set; bench/serving.sh times the two serving samples)
// and `-- augment --data DIR` (an epoch with ImageAugmentation.Digits against one without), and `-- finetune` (the
// pretrained ResNet18 fine-tuning and scoring against PyTorch and ONNX Runtime).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Benchmarks;
using static MLNet.ConvNet.Benchmarks.Measure;
using MLNet.ConvNet.Data;
using TorchSharp;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "forward")
{
    // dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- forward
    torch.set_num_threads(Environment.ProcessorCount);
    ForwardProfile.Run(["SimpleConvNet", "LeNot"]);
    return 0;
}
if (args.Length > 0 && args[0] == "profile")
{
    PhaseProfile.Run(BenchSettings.Parse(args[1..]));
    return 0;
}
if (args.Length > 0 && args[0] == "stream")
{
    Streaming.Run(BenchSettings.Parse(args[1..], needsMnist: false));
    return 0;
}
if (args.Length > 0 && args[0] == "finetune")
{
    FineTuneBench.Run(args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "onnx")
{
    OnnxInference.Run(BenchSettings.Parse(args[1..]));
    return 0;
}
if (args.Length > 0 && args[0] == "augment")
{
    int rounds = 3;
    var rest = args[1..].ToList();
    if (rest.IndexOf("--rounds") is int at and >= 0)
    {
        rounds = int.Parse(rest[at + 1], CultureInfo.InvariantCulture);
        rest.RemoveRange(at, 2);
    }
    Augmentation.Run(BenchSettings.Parse([.. rest]), rounds);
    return 0;
}
if (args.Length > 0 && args[0] == "scaling")
{
    var scaling = BenchSettings.Parse(args[1..]);
    Scaling.Run(scaling);
    return 0;
}
var settings = BenchSettings.Parse(args);
var machine = new
{
    Processor = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':')[1].Trim() : RuntimeInformation.ProcessArchitecture.ToString(),
    Cores = Environment.ProcessorCount,
    Os = RuntimeInformation.OSDescription,
    Runtime = RuntimeInformation.FrameworkDescription,
    Threads = settings.Threads,
};
Console.WriteLine($"Machine: {machine.Processor}, {machine.Cores} cores, {machine.Os}, {machine.Runtime}; torch threads {settings.Threads}");

var trainData = MnistDataset.ReadSplit(settings.DataDirectory, MnistSplit.Train, settings.TrainRows);
Console.WriteLine($"Training on {trainData.Labels.Length:N0} images; {settings.WarmupEpochs} warm-up epoch(s) then {settings.Epochs} timed epochs, medians reported.");
var python = PyTorchBaseline.Find();
Console.WriteLine(python.Available ? $"PyTorch: {python.Version}" : $"PyTorch: not measured ({python.Version})");

var results = new List<ArchitectureResult>();
foreach (var name in settings.Architectures)
{
    var architecture = ArchitectureRegistry.Get(name);
    Console.WriteLine($"\n=== {name} ===");
    int totalEpochs = settings.WarmupEpochs + settings.Epochs;

    // (a) the trainer through an ML.NET pipeline on an IDataView.
    var ml = new MLContext(seed: 1);
    var train = MnistDataset.Load(ml, settings.DataDirectory, MnistSplit.Train, settings.TrainRows);
    var memoryAfterEpoch = new List<double>();
    ProcessMemory.ResetPeak();
    var options = new ConvNetTrainer.Options { Architecture = name, Epochs = totalEpochs, NumberOfThreads = settings.Threads, EpochEnded = _ => memoryAfterEpoch.Add(ProcessMemory.ResidentMiB) };
    var fitClock = Stopwatch.StartNew();
    var pipeline = ml.MulticlassClassification.Trainers.ConvNet(options).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel"));
    var model = pipeline.Fit(train);
    double fitSeconds = fitClock.Elapsed.TotalSeconds;
    double peakTraining = ProcessMemory.PeakResidentMiB;
    var convNet = (ConvNetTransformer)model.First();
    double pipelineEpoch = Median(convNet.History.Skip(settings.WarmupEpochs).Select(h => h.Seconds));
    Console.WriteLine($"(a) trainer through pipeline.Fit: {pipelineEpoch:F3} s per epoch (Fit took {fitSeconds:F1} s for {totalEpochs} epochs, reading the IDataView included)");

    // (b) a plain TorchSharp loop on the same images.
    var plain = PlainTorchSharpLoop.EpochSeconds(architecture, trainData, totalEpochs, batchSize: 128, seed: 1, channelsLast: true);
    double plainEpoch = Median(plain.Skip(settings.WarmupEpochs));
    Console.WriteLine($"(b) plain TorchSharp loop:        {plainEpoch:F3} s per epoch");

    // (c) PyTorch, if python3 has torch.
    double? pytorchEpoch = python.Available ? python.EpochSeconds(name, settings, totalEpochs) is { } s ? Median(s.Skip(settings.WarmupEpochs)) : null : null;
    if (pytorchEpoch is double p)
        Console.WriteLine($"(c) PyTorch {python.Version}:           {p:F3} s per epoch");

    // Inference.
    var test = MnistDataset.Load(ml, settings.DataDirectory, MnistSplit.Test);
    int testRows = MnistDataset.ReadSplit(settings.DataDirectory, MnistSplit.Test).Labels.Length;
    double transformRate = Median(Enumerable.Range(0, 3).Select(_ => testRows / Seconds(() => Drain(model.Transform(test)))));
    double evaluateRate = Median(Enumerable.Range(0, 3).Select(_ => testRows / Seconds(() => ml.MulticlassClassification.Evaluate(model.Transform(test)))));
    var (predictMedian, predictP99) = PredictLatency(ml, model, trainData);
    Console.WriteLine($"Inference: Transform + cursor {transformRate:N0} images/s; Evaluate {evaluateRate:N0} images/s; PredictionEngine.Predict median {predictMedian:F3} ms, p99 {predictP99:F3} ms");
    Console.WriteLine($"Memory: peak resident during training {peakTraining:F0} MiB; after each epoch {string.Join(", ", memoryAfterEpoch.Select(m => m.ToString("F0")))} MiB");

    results.Add(new ArchitectureResult(name, trainData.Labels.Length, pipelineEpoch, plainEpoch, pytorchEpoch, transformRate, evaluateRate, predictMedian, predictP99, peakTraining, memoryAfterEpoch));
    model.Dispose();
}

Report.Write(settings, machine, python.Version, results);
return 0;

static void Drain(IDataView data)
{
    var score = data.Schema["Score"];
    using var cursor = data.GetRowCursor(data.Schema);
    var getter = cursor.GetGetter<VBuffer<float>>(score);
    VBuffer<float> value = default;
    while (cursor.MoveNext())
        getter(ref value);
}

static (double Median, double P99) PredictLatency(MLContext ml, ITransformer model, MnistData data)
{
    var engine = ml.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model);
    var inputs = Enumerable.Range(0, 256).Select(i => new DigitInput { Features = data.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray() }).ToArray();
    for (int i = 0; i < 200; i++)
        engine.Predict(inputs[i % inputs.Length]);
    var times = new double[2000];
    for (int i = 0; i < times.Length; i++)
    {
        long start = Stopwatch.GetTimestamp();
        engine.Predict(inputs[i % inputs.Length]);
        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    Array.Sort(times);
    return (times[times.Length / 2], times[(int)(times.Length * 0.99)]);
}

internal sealed class DigitInput
{
    [VectorType(784)] public float[] Features { get; set; }
}

internal sealed class DigitOutput
{
    public float[] Score { get; set; }
    public string PredictedDigit { get; set; }
}

internal sealed record ArchitectureResult(string Architecture, int TrainingRows, double PipelineEpochSeconds, double PlainEpochSeconds, double? PyTorchEpochSeconds,
    double TransformImagesPerSecond, double EvaluateImagesPerSecond, double PredictMedianMs, double PredictP99Ms, double PeakTrainingMiB, List<double> MiBAfterEachEpoch);

internal sealed record BenchSettings(string DataDirectory, string[] Architectures, int WarmupEpochs, int Epochs, int? TrainRows, int Threads, string OutputDirectory)
{
    public static BenchSettings Parse(string[] args, bool needsMnist = true)
    {
        string data = Environment.GetEnvironmentVariable(MnistDataset.DataEnvironmentVariable);
        string[] architectures = ["SimpleConvNet", "LeNot"];
        int warmup = 1, epochs = 3, threads = Environment.ProcessorCount;
        int? rows = null;
        string output = Path.Combine("bench", "results");
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": data = Value(); break;
                case "--architectures": architectures = Value().Split(','); break;
                case "--warmup": warmup = int.Parse(Value()); break;
                case "--epochs": epochs = int.Parse(Value()); break;
                case "--rows": rows = int.Parse(Value()); break;
                case "--threads": threads = int.Parse(Value()); break;
                case "--out": output = Value(); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: --data DIR [--architectures A,B] [--warmup N] [--epochs N] [--rows N] [--threads N] [--out DIR]");
            }
        }
        if (needsMnist)
            data ??= MnistDataset.Locate(new MLContext(), null, MnistSplit.Train);
        return new BenchSettings(data, architectures, warmup, epochs, rows, threads, output);
    }
}
