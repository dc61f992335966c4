using System.Text;
using System.Text.Json;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>Prints the tables and writes them as JSON and markdown.</summary>
internal static class Report
{
    public static void Write(BenchSettings settings, object machine, string pytorch, List<ArchitectureResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine($"Command: `dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- --data {settings.DataDirectory}`{(settings.TrainRows is int r ? $" --rows {r}" : "")}; {settings.WarmupEpochs} warm-up epoch(s) excluded, median of {settings.Epochs} epochs; {settings.Threads} torch threads; {pytorch}.");
        md.AppendLine();
        md.AppendLine("| per epoch | images | (a) trainer via pipeline.Fit | (b) plain TorchSharp loop | (c) PyTorch | (a)/(b) | (a)/(c) |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var x in results)
        {
            foreach (int images in new[] { 10_000, 60_000 })
            {
                double scale = images / (double)x.TrainingRows;
                string c = x.PyTorchEpochSeconds is double p ? $"{p * scale:F2} s" : "not measured";
                string ac = x.PyTorchEpochSeconds is double q ? $"{x.PipelineEpochSeconds / q:F2}" : "-";
                md.AppendLine($"| {x.Architecture} | {images:N0} | {x.PipelineEpochSeconds * scale:F2} s | {x.PlainEpochSeconds * scale:F2} s | {c} | {x.PipelineEpochSeconds / x.PlainEpochSeconds:F3} | {ac} |");
            }
        }
        md.AppendLine();
        md.AppendLine("| inference and memory | Transform + cursor | Evaluate | Predict median | Predict p99 | peak resident in training | resident after each epoch |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var x in results)
            md.AppendLine($"| {x.Architecture} | {x.TransformImagesPerSecond:N0} images/s | {x.EvaluateImagesPerSecond:N0} images/s | {x.PredictMedianMs:F3} ms | {x.PredictP99Ms:F3} ms | {x.PeakTrainingMiB:F0} MiB | {string.Join(", ", x.MiBAfterEachEpoch.Select(m => m.ToString("F0")))} MiB |");

        Console.WriteLine();
        Console.Write(md);
        Directory.CreateDirectory(settings.OutputDirectory);
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "latest.md"), md.ToString());
        var json = JsonSerializer.Serialize(new { machine, settings, pytorch, results }, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "latest.json"), json);
        Console.WriteLine($"Wrote {Path.Combine(settings.OutputDirectory, "latest.json")} and latest.md.");
    }
}
