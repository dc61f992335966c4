using System.Diagnostics;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// The baseline the trainer is measured against: a hand-written TorchSharp loop over the same images, the
/// same network (built from the same architecture) and the same optimizer settings, with no ML.NET in sight.
/// It uses the same input layout as the trainer, so the ratio between the two is the pipeline's own cost.
/// </summary>
internal static class PlainTorchSharpLoop
{
    public static List<double> EpochSeconds(ConvNetArchitecture architecture, MnistData data, int epochs, int batchSize, int seed, bool channelsLast)
    {
        var shape = architecture.InputShape;
        int count = data.Labels.Length, size = shape.Size;
        var features = new float[(long)count * size];
        for (long i = 0; i < features.LongLength; i++)
            features[i] = data.Images.Pixels[i] * MnistDataset.PixelScale;
        var labels = data.Labels.Select(l => (long)l).ToArray();

        AllocatorTuning.Apply(); // the allocator settings the trainer uses by default, so the two compare like for like
        torch.manual_seed(seed);
        using var model = new ConvNetModule(architecture, 10);
        using var optimizer = optim.RMSProp(model.parameters(), lr: 0.001, alpha: 0.9, eps: 1e-7);
        model.train();
        var random = new Random(seed);
        var order = Enumerable.Range(0, count).ToArray();
        var batch = new float[batchSize * size];
        var batchLabels = new long[batchSize];
        var seconds = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < count; start += batchSize)
            {
                int n = Math.Min(batchSize, count - start);
                for (int i = 0; i < n; i++)
                {
                    Array.Copy(features, (long)order[start + i] * size, batch, (long)i * size, size);
                    batchLabels[i] = labels[order[start + i]];
                }
                using var scope = torch.NewDisposeScope();
                var x = torch.tensor(batch, [batchSize, shape.Channels, shape.Height, shape.Width]).narrow(0, 0, n);
                if (channelsLast)
                    x = InputBatch.ToChannelsLast(x);
                var y = torch.tensor(batchLabels, [batchSize]).narrow(0, 0, n);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x), y);
                loss.backward();
                optimizer.step();
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        return seconds;
    }
}
