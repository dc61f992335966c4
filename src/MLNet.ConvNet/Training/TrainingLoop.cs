using System.Diagnostics;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Common.Internals;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>
/// The epoch loop: mini-batches drawn from indices shuffled by (seed, epoch), every batch inside its own
/// dispose scope so memory stays flat, the learning rate from the schedule, validation after each epoch,
/// early stopping, and a checkpoint per epoch. Cancellation is checked before every batch.
/// </summary>
/// <remarks>
/// <see cref="Run"/> reads as the outline; <see cref="Step"/> is one batch (learning rate, augmentation, forward,
/// backward, update) and <see cref="EndEpoch"/> one epoch's close (validation, metrics, log, early stopping, checkpoint).
/// A warm start numbers its epochs on from the fitted run's last one and begins its history with that run's epochs,
/// so the shuffle, the augmentation and an epoch-based schedule go on as in one longer run.
/// </remarks>
internal sealed class TrainingLoop
{
    private const int ValidationBatchSize = 1024;

    private readonly ConvNetModule _model;
    private readonly ITrainingRows _data;
    private readonly TrainingData? _validation;
    private readonly TrainingSettings _settings;
    private readonly Device _device;
    private readonly ImageShape _shape;
    private readonly int _batchesPerEpoch;
    private readonly WarmStart? _start;
    private readonly int _firstEpoch;
    private readonly int _lastEpoch;
    private readonly FineTuningPlan? _fineTuning;

    // This run's callbacks: the weight average (when on), then the settings' (the library's own, then the user's).
    private IReadOnlyList<TrainingCallback> _callbacks = [];
    private WeightAverager? _averager;
    private (IReadOnlyList<WeightTensor> Weights, long Steps)? _resumedAverage;

    // Each optimizer group's share of the scheduled learning rate: null for one group at the full rate.
    private IReadOnlyList<double>? _rateFactors;

    // The batch buffers, refilled by the rows for every batch; the tensors of a step wrap them without a copy.
    private readonly float[] _features;
    private readonly float[] _labels;
    private readonly int _labelWidth;
    private readonly ConvNetTask _task;
    private readonly float[]? _weights;

    /// <summary>
    /// A loop over <paramref name="data"/> for <paramref name="model"/>, which must already be on <paramref name="device"/>;
    /// after the fitted run of <paramref name="start"/> when it is a warm start.
    /// </summary>
    public TrainingLoop(ConvNetModule model, ITrainingRows data, TrainingData? validation, TrainingSettings settings, Device device, WarmStart? start = null)
    {
        _start = start;
        _firstEpoch = (start?.LastEpoch ?? 0) + 1;
        _lastEpoch = (start?.LastEpoch ?? 0) + settings.Epochs;
        _model = model;
        _data = data;
        _validation = validation;
        _settings = settings;
        _device = device;
        _shape = model.InputShape;
        _batchesPerEpoch = (data.Count + settings.BatchSize - 1) / settings.BatchSize;
        _features = new float[settings.BatchSize * _shape.Size];
        _labelWidth = settings.Task.LabelWidth(model.NumberOfClasses);
        _labels = new float[settings.BatchSize * _labelWidth];
        _task = settings.Task;
        _weights = data.HasWeights ? new float[settings.BatchSize] : null;
        _fineTuning = FineTuningPlan.For(model, settings.FineTuning);
    }

    /// <summary>
    /// What can be checked before the data is read, so that a mistake costs no full read: that FineTuning.UnfreezeFrom
    /// names a pretrained layer, and that the checkpoint a resumed run would continue was written with these settings
    /// (its data sizes are checked once the data is read).
    /// </summary>
    /// <exception cref="ArgumentException">UnfreezeFrom names no pretrained layer.</exception>
    /// <exception cref="InvalidOperationException">The newest checkpoint was written by a run with other settings.</exception>
    public static void CheckBeforeReading(ConvNetModule model, TrainingSettings settings, WarmStart? start)
    {
        _ = FineTuningPlan.For(model, settings.FineTuning);
        if (settings.CheckpointDirectory is { } directory && settings.Resume)
            Checkpoints.CheckSettings(directory, settings.Fingerprint(model.InputShape, model.NumberOfClasses, 0, 0) + WarmSuffix(start));
    }

    // A warm start's checkpoints are its own: the fitted run's last epoch is part of the fingerprint.
    private static string WarmSuffix(WarmStart? start) => start is null ? "" : $", warm start after epoch {start.LastEpoch}";

    /// <summary>The epoch whose weights the model holds at the end (the best one when they were restored).</summary>
    public int FinalEpoch { get; private set; }

    /// <summary>The optimizer's state at the end, for a warm start to carry on; null when the weights are not the last epoch's.</summary>
    public OptimizerState? OptimizerState { get; private set; }

    /// <summary>What one epoch has seen so far; the progress bar and the epoch's metrics read it.</summary>
    private sealed class EpochTally(int epoch)
    {
        public int Epoch { get; } = epoch;
        public int Batch { get; set; }
        public int Seen { get; set; }
        // With example weights the epoch's loss is their weighted mean: each batch counts by its total weight.
        public double LossSum { get; set; }
        public double WeightSeen { get; set; }
        public long Correct { get; set; }
        public double Rate { get; set; } = double.NaN;
        public double FirstRate { get; set; } = double.NaN;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public double RunningLoss => WeightSeen > 0 ? LossSum / WeightSeen : 0;

        public bool HasAccuracy { get; init; } = true;

        public double RunningAccuracy => HasAccuracy ? (double)Correct / Seen : double.NaN;
    }

    public List<EpochMetrics> Run(IChannel channel, IProgressChannel? progressChannel, Action checkCancelled)
    {
        var s = _settings;
        var history = new List<EpochMetrics>(_start?.History ?? []);
        var stopping = s.EarlyStopping is { } es ? new EarlyStopping(es) : null;
        using var optimizer = _fineTuning is null ? s.Optimizer.Create(_model.parameters(), s.LearningRate)
            : _fineTuning.CreateOptimizer(s.Optimizer, s.LearningRate, out _rateFactors);
        if (_start?.OptimizerState is { } carried)
            LoadState(optimizer, carried);
        var checkpoints = s.CheckpointDirectory is null ? null
            : new Checkpoints(s.CheckpointDirectory, s.Fingerprint(_model.InputShape, _model.NumberOfClasses, _data.Count, _validation?.Count ?? 0) + WarmSuffix(_start));
        int first = Resume(channel, checkpoints, optimizer, stopping, history);
        // The average starts from the weights training starts from, or is the checkpoint's.
        using var averager = s.WeightAveraging is { } averaging ? new WeightAverager(averaging, _model) : null;
        if (averager is not null && _resumedAverage is { } resumedAverage)
            averager.Restore(resumedAverage.Weights, resumedAverage.Steps);
        _averager = averager;
        _callbacks = averager is null ? s.Callbacks : [averager, .. s.Callbacks];

        var tally = new EpochTally(first) { HasAccuracy = _task.HasAccuracy };
        progressChannel?.SetHeader(new ProgressHeader(["loss", "accuracy"], ["epoch", "batch"]), e =>
        {
            e.SetProgress(0, tally.Epoch, _lastEpoch);
            e.SetProgress(1, tally.Batch, _batchesPerEpoch);
            e.SetMetric(0, tally.RunningLoss);
            e.SetMetric(1, tally.Seen == 0 ? 0 : tally.RunningAccuracy);
        });
        var run = new TrainingRun(first, _lastEpoch, _batchesPerEpoch, _data.Count, _model.NumberOfClasses, s.Seed);
        foreach (var callback in _callbacks)
            callback.OnFitStarted(run);
        var clock = Stopwatch.StartNew();
        long batchesDone = 0, batchesPlanned = (long)(_lastEpoch - first + 1) * _batchesPerEpoch;
        bool stopped = stopping?.ShouldStop == true;
        _model.train();
        for (int epoch = first; epoch <= _lastEpoch && !stopped; epoch++)
        {
            tally = new EpochTally(epoch) { HasAccuracy = _task.HasAccuracy };
            if (_fineTuning?.Apply(epoch) is { } phase)
                ChannelLog.Info(channel, phase);
            using var batches = _data.Batches(epoch, s.BatchSize, s.Seed, s.Shuffle, _features, _labels, _weights).GetEnumerator();
            // Its own stream, seeded by (seed, epoch) like the shuffle: the same run augments the same way, and a resumed one too.
            var augmentationRandom = s.Augmentation is null ? null : new Random(EpochStreams.Augmentation(s.Seed, epoch));
            // Dropout masks likewise, from a generator of this run (not libtorch's global one, which another run may share).
            using var dropoutGenerator = _model.HasDropout ? new Generator((ulong)(uint)EpochStreams.Dropout(s.Seed, epoch), _device) : null;
            _model.DrawDropoutFrom(dropoutGenerator);
            // The callbacks' stream (batch mixing draws from it), seeded likewise.
            var callbackRandom = new Random(EpochStreams.Callbacks(s.Seed, epoch));
            string? stoppedInBatch = null;
            for (tally.Batch = 0; tally.Batch < _batchesPerEpoch && stoppedInBatch is null; tally.Batch++)
            {
                checkCancelled();
                stoppedInBatch = Step(tally, batches, optimizer, augmentationRandom, callbackRandom, history);
                batchesDone++;
                if (s.Progress is { } progress)
                {
                    var elapsed = clock.Elapsed;
                    var remaining = TimeSpan.FromTicks((long)(elapsed.Ticks * (double)(batchesPlanned - batchesDone) / batchesDone));
                    progress.Report(new TrainingProgress(epoch, _lastEpoch, tally.Batch + 1, _batchesPerEpoch, tally.RunningLoss, tally.RunningAccuracy, tally.Rate, elapsed, remaining));
                }
            }
            _model.DrawDropoutFrom(null);
            if (stoppedInBatch is not null)
            {
                // Mid-epoch: the epoch is not closed (no metrics, no checkpoint).
                ChannelLog.Info(channel, $"Stopped in epoch {tally.Epoch}, batch {tally.Batch}: {stoppedInBatch}.");
                break;
            }
            stopped = EndEpoch(channel, tally, history, stopping, checkpoints, optimizer);
        }

        FinalEpoch = history.Count == 0 ? 0 : history[^1].Epoch;
        bool restored = false;
        if (stopping is { Current: { BestWeights: { } best, BestEpoch: var bestEpoch } } && s.EarlyStopping is { } rule && bestEpoch != FinalEpoch)
        {
            _model.LoadWeights(best);
            FinalEpoch = bestEpoch;
            restored = true;
            ChannelLog.Info(channel, $"Restored the weights of epoch {bestEpoch}, the best by {rule.Metric}.");
        }
        if (averager is not null && !restored)
        {
            _model.LoadWeights(averager.Snapshot());
            ChannelLog.Info(channel, $"Ended with the weights' moving average ({s.WeightAveraging}, {averager.Steps:N0} steps).");
        }
        // A warm start carries the optimizer's state only when the model holds the weights it was stepping.
        OptimizerState = averager is null && history.Count > 0 && FinalEpoch == history[^1].Epoch ? SaveState(optimizer, s.Optimizer) : null;
        foreach (var callback in _callbacks)
            callback.OnFitEnded(history);
        _model.eval();
        return history;
    }

    /// <summary>Continues from the newest checkpoint when asked to; returns the first epoch to train.</summary>
    private int Resume(IChannel channel, Checkpoints? checkpoints, OptimizerHelper optimizer, EarlyStopping? stopping, List<EpochMetrics> history)
    {
        var s = _settings;
        if (checkpoints is null || !s.Resume || checkpoints.Resume(_model, optimizer, m => ChannelLog.Warning(channel, m)) is not { } resumed)
            return _firstEpoch;
        history.Clear(); // a checkpoint's history holds a warm start's earlier epochs too
        history.AddRange(resumed.History);
        if (resumed.EarlyStopping is { } state)
            stopping?.Restore(state);
        _resumedAverage = resumed.Average is { } average ? (average, resumed.AverageSteps) : null;
        ChannelLog.Info(channel, $"Resumed from the checkpoint of epoch {resumed.Epoch} in '{s.CheckpointDirectory}'.");
        return resumed.Epoch + 1;
    }

    /// <summary>One batch: the scheduled learning rate, the next rows, augmentation, forward, loss, backward, update. Returns why a callback stops training here, or null.</summary>
    private string? Step(EpochTally tally, IEnumerator<int> batches, OptimizerHelper optimizer, Random? augmentationRandom, Random callbackRandom, List<EpochMetrics> history)
    {
        var s = _settings;
        double wanted = ScheduledRate(tally, history);
        if (wanted != tally.Rate)
        {
            ConvNetOptimizer.SetLearningRate(optimizer, wanted, _rateFactors);
            tally.Rate = wanted;
        }
        if (tally.Batch == 0)
            tally.FirstRate = tally.Rate;

        if (!batches.MoveNext())
            throw new InvalidOperationException($"The training data gave {tally.Seen:N0} rows in epoch {tally.Epoch}; it gave {_data.Count:N0} before. It must give the same rows every time it is read.");
        int size = batches.Current;
        double batchWeight = size;
        if (_weights is not null)
        {
            batchWeight = 0;
            for (int i = 0; i < size; i++)
                batchWeight += _weights[i];
        }

        TrainingBatch? batch = null;
        using (torch.NewDisposeScope())
        try
        {
            // The tensors wrap the reused buffers and die with this scope, before the buffers are refilled.
            var x = InputBatch.Images(_features, 0, size, _shape, _device);
            if (augmentationRandom is not null && s.Augmentation is { } augmentation)
                x = augmentation.Apply(x, augmentationRandom);
            var y = _task.LabelsForLoss(InputBatch.Labels(_labels, 0, size, _labelWidth, _device));
            batch = new TrainingBatch(tally.Epoch, tally.Batch, x, y, _model.NumberOfClasses, callbackRandom) { LearningRate = tally.Rate };
            foreach (var callback in _callbacks)
                callback.OnBatchStarted(batch);
            optimizer.zero_grad();
            var logits = _model.forward(batch.Images);
            batch.Logits = logits;
            batch.Loss = _task.Loss(logits, y, batch.Targets, _weights is null ? null : InputBatch.Weights(_weights, 0, size, _device), s.LabelSmoothing);
            foreach (var callback in _callbacks)
                callback.OnLossComputed(batch);
            var loss = batch.Loss ?? throw new InvalidOperationException($"A training callback set the loss of epoch {tally.Epoch}, batch {tally.Batch + 1} to null; set it to a scalar tensor.");
            // A batch whose examples all weigh 0 teaches nothing: no step, so the optimizer's state stays as it was.
            if (batchWeight > 0)
            {
                loss.backward();
                optimizer.step();
                tally.LossSum += loss.item<float>() * batchWeight;
                foreach (var callback in _callbacks)
                    callback.OnStepTaken(batch);
            }
            if (_task.Correct(logits, y, batch.Targets) is { } correct)
                tally.Correct += correct.item<long>();
        }
        catch (System.Runtime.InteropServices.ExternalException e) when (IsOutOfMemory(e))
        {
            throw new InsufficientMemoryException(
                $"libtorch ran out of memory in epoch {tally.Epoch}, batch {tally.Batch + 1} of {_batchesPerEpoch} (batch size {s.BatchSize}, {_model.Architecture.Name}): {ExceptionChain.FirstLine(e.Message)} " +
                "Lower BatchSize, train a smaller architecture, or free memory; checkpoints of completed epochs are intact.", e);
        }
        tally.Seen += size;
        tally.WeightSeen += batchWeight;
        return batch?.StopReason;
    }

    /// <summary>One epoch's close: validation, the metrics, the log line and callback, early stopping and the checkpoint. Returns whether to stop.</summary>
    private bool EndEpoch(IChannel channel, EpochTally tally, List<EpochMetrics> history, EarlyStopping? stopping, Checkpoints? checkpoints, OptimizerHelper optimizer)
    {
        var s = _settings;
        int count = _data.Count;
        // With a weight average, the average is what is validated and what early stopping keeps.
        var swapped = _averager?.SwapIn();
        var (validationLoss, validationAccuracy) = _validation is { } rows ? Validate(rows) : (null, null);
        var metrics = new EpochMetrics(tally.Epoch, tally.LossSum / tally.WeightSeen, _task.HasAccuracy ? (double)tally.Correct / count : double.NaN, tally.FirstRate, tally.Clock.Elapsed.TotalSeconds, validationLoss, validationAccuracy)
        {
            Augmented = s.Augmentation is not null || s.Mixing is not null || s.RandomResizedCrop is not null || s.ColorJitter is not null,
        };
        history.Add(metrics);
        string validation = _validation is null ? "" : $", validation loss {validationLoss:F4}{(_task.HasAccuracy ? $", validation accuracy {validationAccuracy:P2}" : "")}";
        string accuracy = _task.HasAccuracy ? $", accuracy {metrics.Accuracy:P2}" : "";
        string augmented = metrics.Augmented ? " (on augmented images)" : "";
        ChannelLog.Info(channel, $"Epoch {tally.Epoch}/{_lastEpoch}: loss {metrics.Loss:F4}{accuracy}{augmented}{validation}, learning rate {tally.FirstRate:G4}, {metrics.Seconds:F1} s ({count / metrics.Seconds:F0} images/s).");
        s.EpochEnded?.Invoke(metrics);
        var control = new TrainingControl();
        foreach (var callback in _callbacks)
            callback.OnEpochEnded(metrics, control);

        stopping?.Update(metrics, _model);
        if (swapped is { } weights)
            _model.LoadWeights(weights.Live);
        checkpoints?.Save(tally.Epoch, history, _model, optimizer, stopping, swapped is { } average ? (average.Average, _averager!.Steps) : null);
        if (control.StopReason is { } reason)
        {
            ChannelLog.Info(channel, $"Stopped after epoch {tally.Epoch}: {reason}.");
            return true;
        }
        if (stopping is not { ShouldStop: true } || s.EarlyStopping is not { } rule)
            return false;
        ChannelLog.Info(channel, $"Early stopping after epoch {tally.Epoch}: {rule.Metric} has not improved for {rule.Patience} epochs; the best was epoch {stopping.Current.BestEpoch}.");
        return true;
    }

    /// <summary>
    /// The schedule's rate for a batch. A schedule over the whole run (one-cycle) runs its cycle over this run's
    /// epochs; the others see the epochs numbered on from a warm start's, as one longer run would.
    /// </summary>
    private double ScheduledRate(EpochTally tally, List<EpochMetrics> history)
    {
        var s = _settings;
        return s.Schedule.UsesTotalEpochs
            ? s.Schedule.Rate(s.LearningRate, tally.Epoch - _firstEpoch + 1, tally.Batch, _batchesPerEpoch, s.Epochs, history, _validation is not null)
            : s.Schedule.Rate(s.LearningRate, tally.Epoch, tally.Batch, _batchesPerEpoch, _lastEpoch, history, _validation is not null);
    }

    private static void LoadState(OptimizerHelper optimizer, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state));
        optimizer.load_state_dict(reader);
    }

    /// <summary>The optimizer's state, and which optimizer with which settings wrote it.</summary>
    private static OptimizerState SaveState(OptimizerHelper optimizer, ConvNetOptimizer settings)
    {
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return new OptimizerState(settings.ToString(), state.ToArray());
    }

    private static bool IsOutOfMemory(Exception e)
        => e.Message.Contains("alloc", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The trained network's raw outputs on <paramref name="rows"/>, image after image, in evaluation mode: what a
    /// binary task calibrates on, and what a tagger sets its thresholds by.
    /// </summary>
    public float[] Outputs(TrainingData rows)
    {
        int width = _model.NumberOfClasses;
        var outputs = new float[(long)rows.Count * width];
        InEvaluation(rows, (start, size, x) => _model.forward(x).cpu().contiguous().data<float>().CopyTo(outputs.AsSpan(start * width, size * width)));
        return outputs;
    }

    private (double? Loss, double? Accuracy) Validate(TrainingData validation)
    {
        double lossSum = 0;
        long correct = 0;
        InEvaluation(validation, (start, size, x) =>
        {
            var y = _task.LabelsForLoss(InputBatch.Labels(validation.Labels, start, size, _labelWidth, _device));
            var logits = _model.forward(x);
            lossSum += _task.LossSum(logits, y).item<float>();
            if (_task.Correct(logits, y, null) is { } right)
                correct += right.item<long>();
        });
        return (lossSum / validation.Count, _task.HasAccuracy ? (double)correct / validation.Count : null);
    }

    /// <summary>
    /// <paramref name="batch"/> for each batch of <paramref name="rows"/>' images (first row, rows, images), in
    /// evaluation mode and without gradients, each in its own dispose scope; the model is left in the mode it was in.
    /// </summary>
    private void InEvaluation(TrainingData rows, Action<int, int, Tensor> batch)
    {
        bool training = _model.training;
        _model.eval();
        using (torch.inference_mode())
        {
            for (int start = 0; start < rows.Count; start += ValidationBatchSize)
            {
                int size = Math.Min(ValidationBatchSize, rows.Count - start);
                using var scope = torch.NewDisposeScope();
                batch(start, size, InputBatch.Images(rows.Features, start, size, _shape, _device));
            }
        }
        if (training)
            _model.train();
    }
}
