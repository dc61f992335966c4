using System.Diagnostics;
using MLNet.ConvNet.Architectures;
using TorchSharp;
using static TorchSharp.torch;
using static MLNet.ConvNet.Benchmarks.Measure;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// Inference throughput of the bare network, without ML.NET: where Transform's time goes. Prints images per
/// second for each batch size, in the default and the channels-last layout.
/// </summary>
internal static class ForwardProfile
{
    public static void Run(string[] architectures)
    {
        foreach (var name in architectures)
        {
            torch.manual_seed(1);
            using var model = new ConvNetModule(ArchitectureRegistry.Get(name), 10);
            model.eval();
            foreach (int batch in new[] { 64, 256, 512, 1024, 2048 })
            {
                foreach (bool channelsLast in new[] { false, true })
                {
                    using var input = torch.rand(batch, 1, 28, 28);
                    double seconds = Median(Enumerable.Range(0, 5).Select(_ =>
                    {
                        var clock = Stopwatch.StartNew();
                        for (int i = 0; i < 10; i++)
                        {
                            using var scope = torch.NewDisposeScope();
                            using var inference = torch.inference_mode();
                            var x = channelsLast ? InputBatch.ToChannelsLast(input) : input;
                            model.Probabilities(x).cpu();
                        }
                        return clock.Elapsed.TotalSeconds / 10;
                    }));
                    Console.WriteLine($"{name,-14} batch {batch,5} {(channelsLast ? "channels-last" : "default      ")}: {batch / seconds,10:N0} images/s");
                }
            }
        }
    }
}
