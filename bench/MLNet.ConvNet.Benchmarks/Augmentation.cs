using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;
using TorchSharp;
using static MLNet.ConvNet.Benchmarks.Measure;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// What augmentation costs per epoch: the same training with and without <see cref="ImageAugmentation.Digits"/>,
/// alternated in rounds so that the machine's drift falls on both alike, one warm-up epoch excluded; and the warp
/// alone on a batch of 128 images.
///   dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- augment --data ../shared/data/mnist [--epochs 3] [--rounds 3]
/// Writes bench/results/augmentation.md. The bound: an augmented epoch within 15% of a plain one.
/// </summary>
internal static class Augmentation
{
    public static void Run(BenchSettings settings, int rounds)
    {
        var md = new StringBuilder();
        md.AppendLine($"{settings.Threads} torch threads, {rounds} rounds of {settings.WarmupEpochs} warm-up + {settings.Epochs} timed epochs each, plain and augmented alternating; medians.");
        md.AppendLine();
        md.AppendLine("| network | plain: seconds per epoch | augmented (ImageAugmentation.Digits) | ratio | the warp alone, per batch of 128 | its share of an augmented epoch |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var name in settings.Architectures)
        {
            var plain = new List<double>();
            var augmented = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                plain.AddRange(EpochSeconds(settings, name, augmentation: null));
                augmented.AddRange(EpochSeconds(settings, name, ImageAugmentation.Digits));
                Console.WriteLine($"{name} round {round + 1}: plain {Median(plain):F3} s, augmented {Median(augmented):F3} s per epoch so far");
            }
            double warp = WarpMilliseconds(settings);
            int rows = (int)MnistDataset.Load(new MLContext(), settings.DataDirectory, MnistSplit.Train, settings.TrainRows).GetRowCount().Value;
            double warpShare = warp / 1000 * Math.Ceiling(rows / 128.0) / Median(augmented);
            string line = $"| {name} | {Median(plain):F3} | {Median(augmented):F3} | {Median(augmented) / Median(plain):F3} | {warp:F2} ms | {warpShare:P1} |";
            Console.WriteLine(line);
            md.AppendLine(line);
        }
        Directory.CreateDirectory(settings.OutputDirectory);
        string path = Path.Combine(settings.OutputDirectory, "augmentation.md");
        File.WriteAllText(path, md.ToString());
        Console.WriteLine($"Wrote {path}.");
    }

    private static IEnumerable<double> EpochSeconds(BenchSettings settings, string architecture, ImageAugmentation augmentation)
    {
        var ml = new MLContext(seed: 1);
        var train = MnistDataset.Load(ml, settings.DataDirectory, MnistSplit.Train, settings.TrainRows);
        var options = new ConvNetTrainer.Options
        {
            Architecture = architecture, Epochs = settings.WarmupEpochs + settings.Epochs, NumberOfThreads = settings.Threads, Augmentation = augmentation,
        };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        return model.History.Skip(settings.WarmupEpochs).Select(h => h.Seconds).ToList();
    }

    /// <summary>Median milliseconds to draw and apply the transforms of one batch of 128 MNIST images.</summary>
    private static double WarpMilliseconds(BenchSettings settings)
    {
        var images = MnistDataset.ReadSplit(settings.DataDirectory, MnistSplit.Train, maxRows: 128).Images.Pixels.Select(p => p * MnistDataset.PixelScale).ToArray();
        using var batch = torch.tensor(images, [128, 1, 28, 28]);
        var random = new Random(1);
        var times = new List<double>();
        for (int i = 0; i < 220; i++)
        {
            using var scope = torch.NewDisposeScope();
            long start = Stopwatch.GetTimestamp();
            ImageAugmentation.Digits.Apply(batch, random);
            if (i >= 20)
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Median(times);
    }
}
