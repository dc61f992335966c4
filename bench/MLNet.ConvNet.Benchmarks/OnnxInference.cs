using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.ConvNet.Data;
using static MLNet.ConvNet.Benchmarks.Measure;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// Inference on the full MNIST test set, libtorch (the ConvNet transformer) against ONNX Runtime (the same network
/// exported with ConvertToOnnx), both networks, in one run:
///   dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- onnx --data ../shared/data/mnist
/// Images per second at batch 1 and batch 512, and the median and p99 latency of one prediction. libtorch's batch 512
/// is Transform read through a cursor; its batch 1 is PredictionEngine.Predict. Writes OUT/onnx.md.
/// </summary>
internal static class OnnxInference
{
    private const int Batch = 512;

    public static void Run(BenchSettings settings)
    {
        var ml = new MLContext(seed: 1);
        var test = MnistDataset.ReadSplit(settings.DataDirectory, MnistSplit.Test);
        int rows = test.Labels.Length;
        var pixels = test.Images.Pixels.Select(p => p * MnistDataset.PixelScale).ToArray();
        var testView = MnistDataset.Load(ml, settings.DataDirectory, MnistSplit.Test);
        var lines = new List<string>
        {
            $"Command: `dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- onnx --data {settings.DataDirectory}`; {rows:N0} test images; {Environment.ProcessorCount} cores; ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}, default session options.",
            "",
            "| network | engine | batch 1: images/s | batch 512: images/s | one prediction: median | p99 |",
            "|---|---|---|---|---|---|",
        };
        foreach (var name in settings.Architectures)
        {
            var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = name, Epochs = 1, NumberOfThreads = settings.Threads })
                .Fit(MnistDataset.Load(ml, settings.DataDirectory, MnistSplit.Train, settings.TrainRows));

            // libtorch
            double torchBatch = Median(Enumerable.Range(0, 3).Select(_ => rows / Seconds(() => DrainScores(model.Transform(testView)))));
            var engine = ml.Model.CreatePredictionEngine<Digit, Scores>(model);
            var digits = Enumerable.Range(0, rows).Select(i => new Digit { Features = pixels.AsSpan(i * 784, 784).ToArray() }).ToArray();
            for (int i = 0; i < 200; i++)
                engine.Predict(digits[i]);
            var torchTimes = Latencies(rows, i => engine.Predict(digits[i]));
            double torchOne = rows / (torchTimes.Sum() / 1000);

            // ONNX Runtime
            using var file = new MemoryStream();
            ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(new List<Digit>()), file);
            using var session = new InferenceSession(file.ToArray());
            void RunBatch(int first, int count)
            {
                var input = new DenseTensor<float>(pixels.AsMemory(first * 784, count * 784), [count, 784]);
                using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
                _ = results.First(r => r.Name == "Score.output").AsTensor<float>()[0, 0];
            }
            for (int i = 0; i < 200; i++)
                RunBatch(i, 1);
            double ortBatch = Median(Enumerable.Range(0, 3).Select(_ => rows / Seconds(() =>
            {
                for (int first = 0; first < rows; first += Batch)
                    RunBatch(first, Math.Min(Batch, rows - first));
            })));
            var ortTimes = Latencies(rows, i => RunBatch(i, 1));
            double ortOne = rows / (ortTimes.Sum() / 1000);

            lines.Add(Row(name, "libtorch (ConvNet transformer)", torchOne, torchBatch, torchTimes));
            lines.Add(Row(name, "ONNX Runtime (exported)", ortOne, ortBatch, ortTimes));
            Console.WriteLine(lines[^2]);
            Console.WriteLine(lines[^1]);
            model.Dispose();
        }
        Directory.CreateDirectory(settings.OutputDirectory);
        string path = Path.Combine(settings.OutputDirectory, "onnx.md");
        File.WriteAllLines(path, lines);
        Console.WriteLine($"Wrote {path}.");
    }

    private static string Row(string network, string engine, double one, double batch, double[] latencies)
    {
        var sorted = latencies.OrderBy(t => t).ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {network} | {engine} | {one:N0} | {batch:N0} | {sorted[sorted.Length / 2]:F3} ms | {sorted[(int)(sorted.Length * 0.99)]:F3} ms |");
    }

    private static double[] Latencies(int count, Action<int> predict)
    {
        var times = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            predict(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return times;
    }

    private sealed class Digit
    {
        [VectorType(784)]
        public float[] Features { get; set; }
    }

    private sealed class Scores
    {
        public float[] Score { get; set; }
    }
}
