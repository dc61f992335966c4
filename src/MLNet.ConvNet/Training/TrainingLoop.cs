using System.Diagnostics;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Internals;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>
/// The epoch loop: RMSprop on the categorical cross-entropy, mini-batches drawn from indices reshuffled
/// every epoch from the seed, every batch inside its own dispose scope so memory stays flat.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly ConvNetModel _model;
    private readonly TrainingData _data;
    private readonly TrainingSettings _settings;

    public TrainingLoop(ConvNetModel model, TrainingData data, TrainingSettings settings)
    {
        _model = model;
        _data = data;
        _settings = settings;
    }

    public List<EpochMetrics> Run(IChannel channel, IProgressChannel progress, Action checkCancelled)
    {
        var shape = _model.Architecture.InputShape;
        int batchSize = _settings.BatchSize;
        int count = _data.Count;
        int batches = (count + batchSize - 1) / batchSize;
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(_settings.Seed);
        var history = new List<EpochMetrics>();
        var batchFeatures = new float[batchSize * _data.FeatureSize];
        var batchLabels = new long[batchSize];

        int epoch = 0, batch = 0;
        double runningLoss = 0, runningAccuracy = 0;
        progress?.SetHeader(new ProgressHeader(new[] { "loss", "accuracy" }, new[] { "epoch", "batch" }), e =>
        {
            e.SetProgress(0, epoch, _settings.Epochs);
            e.SetProgress(1, batch, batches);
            e.SetMetric(0, runningLoss);
            e.SetMetric(1, runningAccuracy);
        });

        using var optimizer = optim.RMSProp(_model.parameters(), lr: _settings.LearningRate, alpha: _settings.Rho, eps: _settings.Epsilon);
        _model.train();
        for (epoch = 1; epoch <= _settings.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (_settings.Shuffle)
                random.Shuffle(order);
            double lossSum = 0;
            long correct = 0;
            for (batch = 0; batch < batches; batch++)
            {
                checkCancelled();
                int start = batch * batchSize;
                int size = Math.Min(batchSize, count - start);
                for (int i = 0; i < size; i++)
                {
                    int row = order[start + i];
                    Array.Copy(_data.Features, (long)row * _data.FeatureSize, batchFeatures, (long)i * _data.FeatureSize, _data.FeatureSize);
                    batchLabels[i] = _data.Labels[row];
                }

                using var scope = torch.NewDisposeScope();
                var x = torch.tensor(batchFeatures.AsSpan(0, size * _data.FeatureSize).ToArray(), new long[] { size, shape.Channels, shape.Height, shape.Width });
                var y = torch.tensor(batchLabels.AsSpan(0, size).ToArray(), new long[] { size });
                optimizer.zero_grad();
                var logits = _model.forward(x);
                var loss = nn.functional.cross_entropy(logits, y);
                loss.backward();
                optimizer.step();

                double batchLoss = loss.item<float>();
                long batchCorrect = logits.argmax(1).eq(y).sum().item<long>();
                lossSum += batchLoss * size;
                correct += batchCorrect;
                int seen = start + size;
                runningLoss = lossSum / seen;
                runningAccuracy = (double)correct / seen;
            }

            var metrics = new EpochMetrics(epoch, lossSum / count, (double)correct / count, _settings.LearningRate, clock.Elapsed.TotalSeconds);
            history.Add(metrics);
            ChannelLog.Info(channel, $"Epoch {epoch}/{_settings.Epochs}: loss {metrics.Loss:F4}, accuracy {metrics.Accuracy:P2}, {metrics.Seconds:F1} s ({count / metrics.Seconds:F0} images/s).");
            _settings.EpochEnded?.Invoke(metrics);
        }
        _model.eval();
        return history;
    }
}

/// <summary>The resolved settings one training run uses.</summary>
internal sealed record TrainingSettings(int Epochs, int BatchSize, double LearningRate, double Rho, double Epsilon, int Seed, bool Shuffle, Action<EpochMetrics> EpochEnded);
