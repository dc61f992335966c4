using System.Diagnostics;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// Where a training step's time goes, phase by phase, on the CPU (where every libtorch call returns only when
/// its work is done, so a stopwatch around each phase measures it): assembling the batch, forward, loss,
/// backward, optimizer step. Also the arithmetic the step needs, to compare with the machine's peak.
///   dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- profile --data ../shared/data/mnist
/// </summary>
internal static class PhaseProfile
{
    public static void Run(BenchSettings settings)
    {
        var data = MnistDataset.ReadSplit(settings.DataDirectory, MnistSplit.Train, settings.TrainRows);
        torch.set_num_threads(settings.Threads);
        foreach (var name in settings.Architectures)
        {
            var architecture = ArchitectureRegistry.Get(name);
            torch.manual_seed(1);
            using var model = new ConvNetModule(architecture, 10);
            using var optimizer = optim.RMSProp(model.parameters(), lr: 0.001, alpha: 0.9, eps: 1e-7);
            var shape = architecture.InputShape;
            const int batchSize = 128;
            var batch = new float[batchSize * shape.Size];
            var labels = new long[batchSize];
            var phases = new double[5];
            int steps = 0;
            for (int epoch = 0; epoch < 1 + settings.Epochs; epoch++)
            {
                for (int start = 0; start + batchSize <= data.Labels.Length; start += batchSize)
                {
                    var clock = Stopwatch.StartNew();
                    for (int i = 0; i < batchSize; i++)
                    {
                        for (int p = 0; p < shape.Size; p++)
                            batch[i * shape.Size + p] = data.Images.Pixels[(start + i) * shape.Size + p] * MnistDataset.PixelScale;
                        labels[i] = data.Labels[start + i];
                    }
                    using var scope = torch.NewDisposeScope();
                    var x = InputBatch.ToChannelsLast(torch.tensor(batch, [batchSize, shape.Channels, shape.Height, shape.Width]));
                    var y = torch.tensor(labels, [batchSize]);
                    double assemble = clock.Elapsed.TotalSeconds;
                    optimizer.zero_grad();
                    var logits = model.forward(x);
                    double forward = clock.Elapsed.TotalSeconds;
                    var loss = nn.functional.cross_entropy(logits, y);
                    double lossTime = clock.Elapsed.TotalSeconds;
                    loss.backward();
                    double backward = clock.Elapsed.TotalSeconds;
                    optimizer.step();
                    double step = clock.Elapsed.TotalSeconds;
                    if (epoch == 0)
                        continue; // warm-up
                    steps++;
                    phases[0] += assemble;
                    phases[1] += forward - assemble;
                    phases[2] += lossTime - forward;
                    phases[3] += backward - lossTime;
                    phases[4] += step - backward;
                }
            }
            double total = phases.Sum();
            double images = steps * (double)batchSize;
            double flops = TrainingFlopsPerImage(model) * images;
            Console.WriteLine($"{name}: {total / images * 60_000:F2} s per 60,000 images; {flops / total / 1e9:F1} GFLOP/s achieved ({TrainingFlopsPerImage(model) / 1e6:F2} MFLOP per image for forward and backward)");
            string[] names = ["assemble batch", "forward", "loss", "backward", "optimizer step"];
            for (int i = 0; i < phases.Length; i++)
                Console.WriteLine($"  {names[i],-15} {phases[i] / total,6:P1}  ({phases[i] / steps * 1000:F2} ms per batch of {batchSize})");
        }
    }

    /// <summary>Multiply-adds of the convolutions and dense layers, x2 for FLOPs, x3 for forward plus backward.</summary>
    public static double TrainingFlopsPerImage(ConvNetModule model)
    {
        double forward = 0;
        foreach (var layer in model.Layers)
        {
            long outputs = layer.OutputShape.Aggregate(1L, (a, b) => a * b);
            long weights = layer.Parameters - (layer.OutputShape.Length == 3 ? layer.OutputShape[0] : layer.OutputShape.Length == 1 && layer.Parameters > 0 ? layer.OutputShape[0] : 0);
            if (layer.Parameters == 0)
                continue;
            // Each output value of a convolution or dense layer takes (weights / output channels) multiply-adds.
            long channels = layer.OutputShape[0];
            forward += 2.0 * outputs * (weights / (double)channels);
        }
        return 3 * forward;
    }
}
