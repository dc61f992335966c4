using System.Text;
using Microsoft.ML;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// How the trainer's cost grows: seconds per epoch against training rows, batch size and torch threads,
/// each through pipeline.Fit with one warm-up epoch excluded.
///   dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- scaling --data ../shared/data/mnist
/// </summary>
internal static class Scaling
{
    public static void Run(BenchSettings settings)
    {
        var md = new StringBuilder();
        foreach (var name in settings.Architectures)
        {
            md.AppendLine($"#### {name}");
            md.AppendLine();
            md.AppendLine("| training rows | batch | threads | seconds per epoch | ms per 1,000 rows |");
            md.AppendLine("|---|---|---|---|---|");
            var cases = new List<(int Rows, int Batch, int Threads)>();
            cases.AddRange(new[] { 1000, 2000, 5000, 10000 }.Select(r => (r, 128, settings.Threads)));
            cases.AddRange(new[] { 32, 64, 256, 512 }.Select(b => (10000, b, settings.Threads)));
            if (settings.Threads != 1)
                cases.Add((10000, 128, 1));
            foreach (var (rows, batch, threads) in cases)
            {
                double seconds = EpochSeconds(settings, name, rows, batch, threads);
                string line = $"| {rows:N0} | {batch} | {threads} | {seconds:F3} | {seconds * 1000 / rows * 1000:F0} |";
                Console.WriteLine($"{name}: {line}");
                md.AppendLine(line);
            }
            md.AppendLine();
        }
        Directory.CreateDirectory(settings.OutputDirectory);
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "scaling.md"), md.ToString());
        Console.WriteLine($"Wrote {Path.Combine(settings.OutputDirectory, "scaling.md")}.");
    }

    private static double EpochSeconds(BenchSettings settings, string architecture, int rows, int batch, int threads)
    {
        var ml = new MLContext(seed: 1);
        var train = MnistDataset.Load(ml, settings.DataDirectory, MnistSplit.Train, rows);
        var options = new ConvNetTrainer.Options { Architecture = architecture, Epochs = 1 + settings.Epochs, BatchSize = batch, NumberOfThreads = threads };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        var timed = model.History.Skip(1).Select(h => h.Seconds).OrderBy(s => s).ToArray();
        return timed[timed.Length / 2];
    }
}
