using System.Diagnostics;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Common.Internals;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>
/// The epoch loop: mini-batches drawn from indices shuffled by (seed, epoch), every batch inside its own
/// dispose scope so memory stays flat, the learning rate from the schedule, validation after each epoch,
/// early stopping, and a checkpoint per epoch. Cancellation is checked before every batch.
/// </summary>
internal sealed class TrainingLoop
{
    private const int ValidationBatchSize = 1024;

    private readonly ConvNetModule _model;
    private readonly ITrainingRows _data;
    private readonly TrainingData _validation;
    private readonly TrainingSettings _settings;
    private readonly Device _device;
    private readonly ImageShape _shape;

    /// <summary>A loop over <paramref name="data"/> for <paramref name="model"/>, which must already be on <paramref name="device"/>.</summary>
    public TrainingLoop(ConvNetModule model, ITrainingRows data, TrainingData validation, TrainingSettings settings, Device device)
    {
        _model = model;
        _data = data;
        _validation = validation;
        _settings = settings;
        _device = device;
        _shape = model.InputShape;
    }

    /// <summary>The epoch whose weights the model holds at the end (the best one when they were restored).</summary>
    public int FinalEpoch { get; private set; }

    public List<EpochMetrics> Run(IChannel channel, IProgressChannel progressChannel, Action checkCancelled)
    {
        var s = _settings;
        int count = _data.Count;
        int batches = (count + s.BatchSize - 1) / s.BatchSize;
        bool hasValidation = _validation is not null;
        var history = new List<EpochMetrics>();
        var stopping = s.EarlyStopping is { } es ? new EarlyStopping(es) : null;
        using var optimizer = s.Optimizer.Create(_model.parameters(), s.LearningRate);
        var checkpoints = s.CheckpointDirectory is null ? null
            : new Checkpoints(s.CheckpointDirectory, s.Fingerprint(_model.InputShape, _model.NumberOfClasses, count, _validation?.Count ?? 0));

        int first = 1;
        if (checkpoints is not null && s.Resume && checkpoints.Resume(_model, optimizer, m => ChannelLog.Warning(channel, m)) is { } resumed)
        {
            history.AddRange(resumed.History);
            if (resumed.EarlyStopping is { } state)
                stopping?.Restore(state);
            first = resumed.Epoch + 1;
            ChannelLog.Info(channel, $"Resumed from the checkpoint of epoch {resumed.Epoch} in '{s.CheckpointDirectory}'.");
        }

        int epoch = first, batch = 0;
        double runningLoss = 0, runningAccuracy = 0;
        progressChannel?.SetHeader(new ProgressHeader(["loss", "accuracy"], ["epoch", "batch"]), e =>
        {
            e.SetProgress(0, epoch, s.Epochs);
            e.SetProgress(1, batch, batches);
            e.SetMetric(0, runningLoss);
            e.SetMetric(1, runningAccuracy);
        });

        var batchFeatures = new float[s.BatchSize * _shape.Size];
        var batchLabels = new long[s.BatchSize];
        var batchWeights = _data.HasWeights ? new float[s.BatchSize] : null;
        var clock = Stopwatch.StartNew();
        long batchesDone = 0, batchesPlanned = (long)(s.Epochs - first + 1) * batches;
        bool stopped = stopping?.ShouldStop == true;
        _model.train();
        for (; epoch <= s.Epochs && !stopped; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            using var epochBatches = _data.Batches(epoch, s.BatchSize, s.Seed, s.Shuffle, batchFeatures, batchLabels, batchWeights).GetEnumerator();
            // Its own stream, seeded by (seed, epoch) like the shuffle: the same run augments the same way, and a resumed one too.
            var augmentationRandom = s.Augmentation is null ? null : new Random(AugmentationSeed(s.Seed, epoch));
            int seen = 0;
            // With example weights the epoch's loss is their weighted mean: each batch counts by its total weight.
            double lossSum = 0, weightSeen = 0, rate = double.NaN, firstRate = double.NaN;
            long correct = 0;
            for (batch = 0; batch < batches; batch++)
            {
                checkCancelled();
                double wanted = s.Schedule.Rate(s.LearningRate, epoch, batch, batches, s.Epochs, history, hasValidation);
                if (wanted != rate)
                {
                    ConvNetOptimizer.SetLearningRate(optimizer, wanted);
                    rate = wanted;
                }
                if (batch == 0)
                    firstRate = rate;

                if (!epochBatches.MoveNext())
                    throw new InvalidOperationException($"The training data gave {seen:N0} rows in epoch {epoch}; it gave {count:N0} before. It must give the same rows every time it is read.");
                int size = epochBatches.Current;
                double batchWeight = size;
                if (batchWeights is not null)
                {
                    batchWeight = 0;
                    for (int i = 0; i < size; i++)
                        batchWeight += batchWeights[i];
                }

                using (torch.NewDisposeScope())
                try
                {
                    // The tensors wrap the reused buffers and die with this scope, before the buffers are refilled.
                    var x = InputBatch.Images(batchFeatures, 0, size, _shape, _device);
                    if (augmentationRandom is not null)
                        x = s.Augmentation.Apply(x, augmentationRandom);
                    var y = InputBatch.Labels(batchLabels, 0, size, _device);
                    optimizer.zero_grad();
                    var logits = _model.forward(x);
                    var loss = batchWeights is null
                        ? nn.functional.cross_entropy(logits, y)
                        : WeightedLoss(logits, y, InputBatch.Weights(batchWeights, 0, size, _device));
                    // A batch whose examples all weigh 0 teaches nothing: no step, so the optimizer's state stays as it was.
                    if (batchWeight > 0)
                    {
                        loss.backward();
                        optimizer.step();
                        lossSum += loss.item<float>() * batchWeight;
                    }
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                }
                catch (System.Runtime.InteropServices.ExternalException e) when (IsOutOfMemory(e))
                {
                    throw new InsufficientMemoryException(
                        $"libtorch ran out of memory in epoch {epoch}, batch {batch + 1} of {batches} (batch size {s.BatchSize}, {_model.Architecture.Name}): {ExceptionChain.FirstLine(e.Message)} " +
                        "Lower BatchSize, train a smaller architecture, or free memory; checkpoints of completed epochs are intact.", e);
                }
                seen += size;
                weightSeen += batchWeight;
                runningLoss = weightSeen > 0 ? lossSum / weightSeen : 0;
                runningAccuracy = (double)correct / seen;
                batchesDone++;
                if (s.Progress is { } progress)
                {
                    var elapsed = clock.Elapsed;
                    var remaining = TimeSpan.FromTicks((long)(elapsed.Ticks * (double)(batchesPlanned - batchesDone) / batchesDone));
                    progress.Report(new TrainingProgress(epoch, s.Epochs, batch + 1, batches, runningLoss, runningAccuracy, rate, elapsed, remaining));
                }
            }

            var (validationLoss, validationAccuracy) = hasValidation ? Validate() : (null, null);
            var metrics = new EpochMetrics(epoch, lossSum / weightSeen, (double)correct / count, firstRate, epochClock.Elapsed.TotalSeconds, validationLoss, validationAccuracy)
            {
                Augmented = s.Augmentation is not null,
            };
            history.Add(metrics);
            string validation = hasValidation ? $", validation loss {validationLoss:F4}, validation accuracy {validationAccuracy:P2}" : "";
            string augmented = metrics.Augmented ? " (on augmented images)" : "";
            ChannelLog.Info(channel, $"Epoch {epoch}/{s.Epochs}: loss {metrics.Loss:F4}, accuracy {metrics.Accuracy:P2}{augmented}{validation}, learning rate {firstRate:G4}, {metrics.Seconds:F1} s ({count / metrics.Seconds:F0} images/s).");
            s.EpochEnded?.Invoke(metrics);

            if (stopping is not null)
            {
                stopping.Update(metrics, _model);
                stopped = stopping.ShouldStop;
            }
            checkpoints?.Save(epoch, history, _model, optimizer, stopping);
            if (stopped)
                ChannelLog.Info(channel, $"Early stopping after epoch {epoch}: {s.EarlyStopping.Metric} has not improved for {s.EarlyStopping.Patience} epochs; the best was epoch {stopping.Current.BestEpoch}.");
        }

        FinalEpoch = history.Count == 0 ? 0 : history[^1].Epoch;
        if (stopping is { Current: { BestWeights: { } best, BestEpoch: var bestEpoch } } && bestEpoch != FinalEpoch)
        {
            _model.LoadWeights(best);
            FinalEpoch = bestEpoch;
            ChannelLog.Info(channel, $"Restored the weights of epoch {bestEpoch}, the best by {s.EarlyStopping.Metric}.");
        }
        _model.eval();
        return history;
    }

    /// <summary>The augmentation stream's seed for an epoch: apart from the shuffle's, so turning augmentation on leaves the order of the rows as it was.</summary>
    internal static int AugmentationSeed(int seed, int epoch) => TrainingData.EpochSeed(seed, epoch) ^ 0x41756775;

    /// <summary>The weighted mean of the examples' cross-entropies.</summary>
    private static Tensor WeightedLoss(Tensor logits, Tensor labels, Tensor weights)
        => (nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None) * weights).sum() / weights.sum();

    private static bool IsOutOfMemory(Exception e)
        => e.Message.Contains("alloc", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);

    private (double? Loss, double? Accuracy) Validate()
    {
        double lossSum = 0;
        long correct = 0;
        _model.eval();
        using (torch.inference_mode())
        {
            for (int start = 0; start < _validation.Count; start += ValidationBatchSize)
            {
                int size = Math.Min(ValidationBatchSize, _validation.Count - start);
                using var scope = torch.NewDisposeScope();
                var x = InputBatch.Images(_validation.Features, start, size, _shape, _device);
                var y = InputBatch.Labels(_validation.Labels, start, size, _device);
                var logits = _model.forward(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }
        }
        _model.train();
        return (lossSum / _validation.Count, (double)correct / _validation.Count);
    }
}
