using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static MLNet.ConvNet.Benchmarks.Measure;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// Fine-tuning the pretrained ResNet18 (Microsoft.ML.DnnImageFeaturizer.ResNet18) at the transfer example's size, or a
/// torchvision network exported from PyTorch and made a backbone by PretrainedNetworks.FromOnnx (--network mobilenet_v2,
/// efficientnet_b0, ...; bench/pytorch_torchvision.py exports it with its batch normalisations kept and times it in PyTorch):
///   dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- finetune [--network resnet18] [--size 64] [--images 1024]
/// (a) the trainer, every layer training (forward, backward, Adam step), and (a') the head epochs with the backbone
/// frozen; (c) the same network in PyTorch (bench/pytorch_resnet18.py, Debian's python3-torch) on the same number of
/// random images of that size, batch 32, in the same run; then the fine-tuned model's scoring through Transform
/// (libtorch) and through its ONNX export in ONNX Runtime, and the peak resident memory while training. Images per
/// second are medians of the timed epochs after one warm-up. Writes OUT/finetune.md (ResNet18) or OUT/finetune-NETWORK-SIZE.md.
/// </summary>
internal static class FineTuneBench
{
    private const int Batch = 32, Classes = 10;

    public static void Run(string[] args)
    {
        int size = 64, images = 1024, epochs = 3, threads = Environment.ProcessorCount;
        string output = Path.Combine("bench", "results"), network = "resnet18";
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--size": size = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--images": images = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--out": output = Value(); break;
                case "--network": network = Value(); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: finetune [--network resnet18|TORCHVISION_NAME] [--size N] [--images N] [--epochs N] [--threads N] [--out DIR]");
            }
        }
        var shape = new ImageShape(3, size, size);
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, images).Select(i => new Row { Label = (uint)(i % Classes), Features = Enumerable.Range(0, shape.Size).Select(_ => (float)random.NextDouble()).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), Classes);
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        bool resnet18 = network == "resnet18";
        string architecture = resnet18 ? PretrainedNetworks.ResNet18Name : ImportTorchvision(network, size);
        string title = resnet18 ? "ResNet18" : $"{network} (torchvision, imported from ONNX)";
        Console.WriteLine($"Fine-tuning {title} on {images:N0} random {shape} images, batch {Batch}, {threads} threads; 1 warm-up epoch, then {epochs} timed.");

        // (a') head epochs only, then (a) every layer: one run each, Adam at a constant rate.
        ProcessMemory.ResetPeak();
        var head = Train(ml, data, architecture, threads, epochs + 1, headEpochs: epochs + 1);
        var all = Train(ml, data, architecture, threads, epochs + 1, headEpochs: 0);
        double peak = ProcessMemory.PeakResidentMiB;
        double headRate = images / Median(head.History.Skip(1).Select(h => h.Seconds));
        double allRate = images / Median(all.History.Skip(1).Select(h => h.Seconds));
        Console.WriteLine($"(a) MLNet.ConvNet, every layer training: {allRate:F1} images/s; (a') the head alone, backbone frozen: {headRate:F1} images/s; peak resident {peak:F0} MiB");

        // (c) PyTorch.
        var (pytorch, pytorchRate) = resnet18
            ? PyTorch("pytorch_resnet18.py", [], size, images, epochs + 1, threads)
            : PyTorch("pytorch_torchvision.py", ["train", network], size, images, epochs + 1, threads);
        Console.WriteLine($"(c) {pytorch}: {(pytorchRate is double r ? $"{r:F1} images/s" : "not measured")}");

        // Scoring: Transform (libtorch) against the ONNX export in ONNX Runtime, batch 512 and one image at a time.
        double transform = Median(Enumerable.Range(0, 3).Select(_ => images / Seconds(() => DrainScores(all.Transform(data)))));
        using var file = new MemoryStream();
        // Exported for the features alone, as a serving application feeds it.
        var featuresOnly = SchemaDefinition.Create(typeof(Features));
        var column = featuresOnly[nameof(Features.Values)];
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width);
        column.ColumnName = "Features";
        ml.Model.ConvertToStrictOnnx(all, ml.Data.LoadFromEnumerable(new List<Features>(), featuresOnly), file);
        using var session = new InferenceSession(file.ToArray());
        var pixels = rows.SelectMany(r => r.Features).ToArray();
        void Score(int first, int count)
        {
            // The export takes the features column as the data view types it: [N, channels, height, width].
            var input = new DenseTensor<float>(pixels.AsMemory(first * shape.Size, count * shape.Size), [count, shape.Channels, shape.Height, shape.Width]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
            _ = results.First(r => r.Name == "Score.output").AsTensor<float>()[0, 0];
        }
        Score(0, 1);
        // The rows Transform scores at once for images of this size (Scoring/BatchScoringDataView.RowsPerBatch).
        int rowsPerBatch = Math.Clamp((1 << 20) / shape.Size, 16, 512);
        double onnxBatch = Median(Enumerable.Range(0, 3).Select(_ => images / Seconds(() =>
        {
            for (int first = 0; first < images; first += rowsPerBatch)
                Score(first, Math.Min(rowsPerBatch, images - first));
        })));
        int singles = Math.Min(256, images);
        double onnxOne = Median(Enumerable.Range(0, 3).Select(_ => singles / Seconds(() =>
        {
            for (int i = 0; i < singles; i++)
                Score(i, 1);
        })));
        Console.WriteLine($"Scoring: Transform {transform:F0} images/s; ONNX Runtime {onnxBatch:F0} images/s in batches of {rowsPerBatch}, {onnxOne:F0} one at a time");

        var lines = new List<string>
        {
            $"Command: `dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- finetune{(resnet18 ? "" : $" --network {network}")} --size {size} --images {images}`; {Environment.ProcessorCount} cores, {threads} threads; {pytorch}.",
            "",
            $"| fine-tuning {title} at " + $"{size}x{size}, batch {Batch} | images/s (forward, backward, step) |",
            "|---|---|",
            string.Create(CultureInfo.InvariantCulture, $"| MLNet.ConvNet, every layer training | {allRate:F1} |"),
            string.Create(CultureInfo.InvariantCulture, $"| MLNet.ConvNet, head epochs (backbone frozen) | {headRate:F1} |"),
            string.Create(CultureInfo.InvariantCulture, $"| PyTorch, every layer training | {(pytorchRate is double p ? p.ToString("F1", CultureInfo.InvariantCulture) : "not measured")} |"),
            "",
            "| scoring the fine-tuned model | images/s |",
            "|---|---|",
            string.Create(CultureInfo.InvariantCulture, $"| Transform (libtorch), batches of {rowsPerBatch} | {transform:F0} |"),
            string.Create(CultureInfo.InvariantCulture, $"| ONNX Runtime, batches of {rowsPerBatch} | {onnxBatch:F0} |"),
            string.Create(CultureInfo.InvariantCulture, $"| ONNX Runtime, one image at a time | {onnxOne:F0} |"),
            "",
            string.Create(CultureInfo.InvariantCulture, $"Peak resident memory while training: {peak:F0} MiB."),
        };
        Directory.CreateDirectory(output);
        string path = Path.Combine(output, resnet18 ? "finetune.md" : $"finetune-{network}-{size}.md");
        File.WriteAllLines(path, lines);
        Console.WriteLine($"Wrote {path}.");
        head.Dispose();
        all.Dispose();
    }

    /// <summary>Exports torchvision's <paramref name="network"/> from PyTorch and registers it as a backbone (PretrainedNetworks.FromOnnx); returns its name.</summary>
    private static string ImportTorchvision(string network, int size)
    {
        string file = Path.Combine(Path.GetTempPath(), $"bench-{network}-{size}.onnx");
        var start = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "pytorch_torchvision.py"), "export", network, $"{size}", file })
            start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"Exporting {network} from PyTorch failed (exit {process.ExitCode}); it needs /usr/bin/python3 with torchvision (apt-get install python3-torchvision).");
        }
        var backbone = PretrainedNetworks.FromOnnx(file, PretrainedNetworks.TorchvisionImageNet, name: network);
        ArchitectureRegistry.Register(backbone, replace: true);
        return backbone.Name;
    }

    private static ConvNetTransformer Train(MLContext ml, IDataView data, string architecture, int threads, int epochs, int headEpochs)
    {
        var options = new ConvNetTrainer.Options
        {
            Architecture = architecture,
            Epochs = epochs,
            BatchSize = Batch,
            Optimizer = new AdamOptimizer(),
            LearningRate = 1e-4,
            NumberOfThreads = threads,
            FineTuning = new FineTuning { HeadEpochs = headEpochs, BackboneLearningRateFactor = 1 },
        };
        return ml.MulticlassClassification.Trainers.ConvNet(options).Fit(data);
    }

    /// <summary>The PyTorch run's description (version and BLAS) and its median images per second, or why there is none.</summary>
    private static (string Description, double? Rate) PyTorch(string scriptName, string[] command, int size, int images, int epochs, int threads)
    {
        string script = Path.Combine(AppContext.BaseDirectory, scriptName);
        foreach (var python in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in (string[])[script, .. command, "--size", $"{size}", "--images", $"{images}", "--epochs", $"{epochs}", "--threads", $"{threads}"])
                    start.ArgumentList.Add(a);
                using var process = Process.Start(start)!;
                var errors = process.StandardError.ReadToEndAsync();
                string text = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                    continue;
                using var json = JsonDocument.Parse(text.Trim().Split('\n')[^1]);
                var root = json.RootElement;
                var seconds = root.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble()).Skip(1);
                return ($"PyTorch {root.GetProperty("version").GetString()} ({python}; {root.GetProperty("blas").GetString()}; mkldnn {root.GetProperty("mkldnn").GetBoolean()}; {root.GetProperty("parameters").GetInt64():N0} numbers)",
                    images / Median(seconds));
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }
        return ("PyTorch not measured (no python3 with torch: apt-get install python3-torch libopenblas0-pthread)", null);
    }

    private sealed class Features
    {
        public float[] Values { get; set; }
    }

    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; }
    }
}
