using System.Globalization;
using Microsoft.ML;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Native;

namespace MLNet.ConvNet.Training;

/// <summary>
/// One training run's settings, resolved and validated once from the trainer's options (ConvNetTrainer.Options.Resolve):
/// every default filled in, every range checked. Nothing downstream reads the options.
/// </summary>
internal sealed record TrainingSettings
{
    /// <summary>What the network learns: the catalog's task, with what it learned from the data once it has (a regression's label scale).</summary>
    public required ConvNetTask Task { get; init; }

    public required ConvNetArchitecture Architecture { get; init; }
    public required ColumnNames Columns { get; init; }

    /// <summary>The images' shape the options give; null to take it from the data.</summary>
    public required ImageShape? InputShape { get; init; }

    /// <summary>Training data larger than this streams through a shuffle buffer of <see cref="ShuffleBufferBytes"/>.</summary>
    public required long InMemoryBudgetBytes { get; init; }

    public required long ShuffleBufferBytes { get; init; }

    /// <summary>The example weight column; null when every example weighs the same.</summary>
    public required string? WeightColumn { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required ConvNetOptimizer Optimizer { get; init; }
    public required double LearningRate { get; init; }
    public required LearningRateSchedule Schedule { get; init; }

    /// <summary>Null when the training images pass unchanged.</summary>
    public required ImageAugmentation? Augmentation { get; init; }

    /// <summary>What the fitted model's scores average over; training does not use it.</summary>
    public required TestTimeAugmentation TestTimeAugmentation { get; init; }

    /// <summary>Null when images are not cropped.</summary>
    public required RandomResizedCrop? RandomResizedCrop { get; init; }

    /// <summary>Null when colours are not jittered.</summary>
    public required ColorJitter? ColorJitter { get; init; }

    /// <summary>Label smoothing's ε; 0 for none.</summary>
    public required double LabelSmoothing { get; init; }

    /// <summary>Null when batches are not mixed.</summary>
    public required BatchMixing? Mixing { get; init; }

    /// <summary>Null when the weights are not averaged.</summary>
    public required WeightAveraging? WeightAveraging { get; init; }

    /// <summary>The library's own callbacks (mixing), then the user's.</summary>
    public required IReadOnlyList<TrainingCallback> Callbacks { get; init; }

    /// <summary>How pretrained layers are fine-tuned; unused by a network without any.</summary>
    public required FineTuning FineTuning { get; init; }
    public required int Seed { get; init; }
    public required bool Shuffle { get; init; }

    /// <summary>Null when early stopping is off.</summary>
    public required EarlyStoppingSettings? EarlyStopping { get; init; }

    /// <summary>Data scored after every epoch; null when there is none or when <see cref="ValidationFraction"/> is used.</summary>
    public required IDataView? ValidationSet { get; init; }

    public required double ValidationFraction { get; init; }
    public bool HasValidation => ValidationSet is not null || ValidationFraction > 0;

    /// <summary>Null when no checkpoints are written.</summary>
    public required string? CheckpointDirectory { get; init; }

    public required bool Resume { get; init; }
    public required ComputeDevice Device { get; init; }
    public required int Threads { get; init; }
    public required bool TuneAllocator { get; init; }
    public required Action<EpochMetrics>? EpochEnded { get; init; }
    public required IProgress<TrainingProgress>? Progress { get; init; }
    public required CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// What a checkpoint must match to be resumed: everything that changes the trajectory. The number of epochs is in
    /// it only when the schedule depends on it (one-cycle), so a finished run can be extended to more epochs.
    /// </summary>
    public string Fingerprint(ImageShape input, int classes, int trainingRows, int validationRows) => string.Create(CultureInfo.InvariantCulture,
        $"{(Task is MulticlassClassificationTask ? "" : $"task {Task}, ")}architecture {Architecture.Name} on {input}, {classes} classes, {trainingRows} training rows, {validationRows} validation rows, " +
        $"{(Schedule.UsesTotalEpochs ? $"epochs {Epochs}, " : "")}batch {BatchSize}, {Optimizer} lr {LearningRate:R}, schedule {Schedule}, seed {Seed}, shuffle {Shuffle}, " +
        $"{(Augmentation is null ? "" : $"augmentation {Augmentation}, ")}" +
        $"{FeaturesOn()}" +
        $"example weights {WeightColumn ?? "none"}, " +
        $"early stopping {EarlyStopping?.ToString() ?? "off"}" +
        $"{(HasPretrainedLayers ? $", fine-tuning {FineTuning}" : "")}");

    /// <summary>
    /// The training features beyond the basics that are on, each with ", " after it, for the fingerprint and the
    /// description alike; nothing when all are off, so that runs without them keep their earlier fingerprints.
    /// </summary>
    private string FeaturesOn()
    {
        var on = new List<string>();
        if (LabelSmoothing > 0)
            on.Add(string.Create(CultureInfo.InvariantCulture, $"label smoothing {LabelSmoothing:R}"));
        if (Mixing is not null)
            on.Add($"mixing {Mixing}");
        if (WeightAveraging is not null)
            on.Add($"weight average {WeightAveraging}");
        if (RandomResizedCrop is not null)
            on.Add($"random resized crop {RandomResizedCrop}");
        if (ColorJitter is not null)
            on.Add($"colour jitter {ColorJitter}");
        return string.Concat(on.Select(part => part + ", "));
    }

    /// <summary>Whether the architecture has pretrained layers, which <see cref="FineTuning"/> then applies to.</summary>
    public bool HasPretrainedLayers => _hasPretrainedLayers ??= Architecture.CreateLayers(2).Any(l => l.Pretrained);

    private bool? _hasPretrainedLayers;

    /// <summary>The settings that shape the result, in one line: the model keeps it (ConvNetModelParameters.TrainingSettings).</summary>
    public string Describe(ImageShape input) => string.Create(CultureInfo.InvariantCulture,
        $"{(Task is MulticlassClassificationTask ? "" : $"{Task.Name}: ")}{Architecture.Name} on {input} images for {Epochs} epoch{(Epochs == 1 ? "" : "s")}, batch {BatchSize}, {Optimizer} with learning rate {LearningRate}, " +
        $"schedule {Schedule}, augmentation {Augmentation?.ToString() ?? "none"}, " +
        $"{FeaturesOn()}" +
        $"early stopping {EarlyStopping?.ToString() ?? "off"}, " +
        $"{(TestTimeAugmentation == TestTimeAugmentation.None ? "" : $"scored with test-time augmentation {TestTimeAugmentation}, ")}" +
        $"{(HasPretrainedLayers ? $"fine-tuning {FineTuning}, " : "")}seed {Seed}");

    /// <summary>The settings in one line, for the training log.</summary>
    public string Describe(ImageShape input, string allocator) => string.Create(CultureInfo.InvariantCulture,
        $"Training {Describe(input)}, {Threads} thread{(Threads == 1 ? "" : "s")} on {Device}; allocator: {allocator}.");
}
