using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Internals;
using MLNet.ConvNet.Native;
using MLNet.ConvNet.Training;
using TorchSharp;

namespace MLNet.ConvNet;

/// <summary>
/// Trains a convolutional network from scratch on TorchSharp inside an ML.NET pipeline: the
/// <see cref="IEstimator{TTransformer}"/> behind <c>mlContext.MulticlassClassification.Trainers.ConvNet</c>.
/// </summary>
/// <remarks>
/// Input: a key-typed label column and a known-size vector of Single holding each image channel-major
/// (channels x height x width values, pixels scaled to [0, 1]). Output: a <see cref="ConvNetTransformer"/>
/// that adds Score and PredictedLabel. Progress, the model summary and per-epoch loss and accuracy go to
/// the MLContext's log and progress channels; nothing is written to the console.
/// </remarks>
public sealed partial class ConvNetTrainer : IEstimator<ConvNetTransformer>
{
    private readonly IHost _host;
    private readonly Options _options;
    private readonly ConvNetArchitecture _architecture;

    internal ConvNetTrainer(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(ConvNetTrainer));
        _architecture = ArchitectureRegistry.Get(options.Architecture);
        Validate(options);
        _options = options;
    }

    /// <summary>The architecture this trainer builds.</summary>
    public ConvNetArchitecture Architecture => _architecture;

    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (ML.NET's schema-mismatch wording).</exception>
    /// <exception cref="InvalidOperationException">The data has no usable rows, or holds values that cannot be trained on.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled through the options or the MLContext.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public ConvNetTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        SchemaChecks.CheckFeatureColumn(input.Schema, _options.FeatureColumnName, _architecture.InputShape, "train on");
        int classes = SchemaChecks.CheckLabelColumn(input.Schema, _options.LabelColumnName);
        TorchRuntime.EnsureLoaded();
        var device = ResolveDevice(_options.Device);

        int seed = _options.Seed ?? EnvironmentAccess.SeedOf(_host) ?? Random.Shared.Next();
        int epochs = _options.Epochs ?? _architecture.DefaultEpochs;
        int threads = _options.NumberOfThreads ?? Environment.ProcessorCount;
        void CheckCancelled()
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            EnvironmentAccess.ThrowIfCancelled(_host);
        }

        using var channel = _host.Start("Training");
        var clock = Stopwatch.StartNew();
        var data = TrainingData.Read(input, _options.FeatureColumnName, _options.LabelColumnName, _architecture.InputShape.Size, classes, CheckCancelled);
        if (data.SkippedMissingLabels > 0)
            ChannelLog.Warning(channel, $"Skipped {data.SkippedMissingLabels:N0} rows whose label '{_options.LabelColumnName}' is missing.");
        TrainingData validation = null;
        if (_options.ValidationSet is { } validationSet)
        {
            int validationClasses = SchemaChecks.CheckLabelColumn(validationSet.Schema, _options.LabelColumnName);
            SchemaChecks.CheckFeatureColumn(validationSet.Schema, _options.FeatureColumnName, _architecture.InputShape, "validate with");
            if (validationClasses != classes)
                throw new ArgumentOutOfRangeException(nameof(Options.ValidationSet), $"Schema mismatch for label column '{_options.LabelColumnName}' of the validation set: expected key type with {classes} values as in the training data, got {validationClasses} values.");
            validation = TrainingData.Read(validationSet, _options.FeatureColumnName, _options.LabelColumnName, _architecture.InputShape.Size, classes, CheckCancelled);
        }
        else if (_options.ValidationFraction > 0)
        {
            (data, validation) = data.Split(_options.ValidationFraction, seed);
        }
        if (data.Count == 0)
            throw new InvalidOperationException($"The training data has no rows with a label in column '{_options.LabelColumnName}'; a ConvNet needs at least one labelled image.");
        if (validation is { Count: 0 })
            throw new InvalidOperationException("The validation data has no labelled rows; give a validation set with rows, or a larger ValidationFraction.");
        ChannelLog.Info(channel, $"Read {data.Count:N0} training images{(validation is null ? "" : $" and {validation.Count:N0} validation images")} of {_architecture.InputShape} in {clock.Elapsed.TotalSeconds:F1} s.");

        var settings = Resolve(_options, epochs, seed, hasValidation: validation is not null) with { Device = device };
        torch.set_num_threads(threads);
        var model = ModelFactory.Create(_architecture, classes, seed);
        model.to(device);
        try
        {
            ChannelLog.Info(channel, model.Summary());
            ChannelLog.Info(channel, $"Training {_architecture.Name} for {epochs} epochs, batch {settings.BatchSize}, {settings.Optimizer}(lr={settings.LearningRate}), " +
                $"schedule {settings.Schedule}, early stopping {settings.EarlyStopping?.ToString() ?? "off"}, seed {seed}, {threads} threads on {device}; allocator: {AllocatorTuning.Outcome}.");
            using var progress = _host.StartProgressChannel("ConvNet training");
            var loop = new TrainingLoop(model, data, validation, settings);
            var history = loop.Run(channel, progress, CheckCancelled);

            var label = input.Schema[_options.LabelColumnName];
            var labelColumn = new DataViewSchema.DetachedColumn(label.Name, label.Type, label.Annotations);
            var columns = new ColumnNames(_options.FeatureColumnName, _options.LabelColumnName, _options.ScoreColumnName, _options.PredictedLabelColumnName);
            return new ConvNetTransformer(_host, model, columns, labelColumn, history, loop.FinalEpoch);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static TrainingSettings Resolve(Options o, int epochs, int seed, bool hasValidation)
    {
        EarlyStoppingSettings stopping = null;
        if (o.EarlyStopping ?? hasValidation)
        {
            var metric = o.EarlyStoppingMetric ?? (hasValidation ? TrainingMetric.ValidationLoss : TrainingMetric.Loss);
            if (metric.IsValidation() && !hasValidation)
                throw new ArgumentException($"Early stopping watches {metric}, but there is no validation data: set ValidationSet or ValidationFraction, or watch {TrainingMetric.Loss}.", nameof(Options.EarlyStoppingMetric));
            stopping = new EarlyStoppingSettings(metric, o.Patience, o.MinDelta, o.RestoreBestWeights);
        }
        if (o.LearningRateSchedule.Monitor(hasValidation) is { } watched && watched.IsValidation() && !hasValidation)
            throw new ArgumentException($"The learning-rate schedule watches {watched}, but there is no validation data: set ValidationSet or ValidationFraction, or watch {TrainingMetric.Loss}.", nameof(Options.LearningRateSchedule));
        return new TrainingSettings(epochs, o.BatchSize, o.Optimizer, o.LearningRate, o.Rho, o.Epsilon, o.Beta1, o.Beta2, o.Momentum, o.Nesterov,
            o.WeightDecay ?? (o.Optimizer == ConvNetOptimizer.AdamW ? 0.01 : 0), o.LearningRateSchedule, seed, o.Shuffle, stopping,
            o.CheckpointDirectory, o.ResumeFromCheckpoint, o.EpochEnded, o.Progress, torch.CPU);
    }

    /// <exception cref="ArgumentException">The device is unknown, or CUDA was asked for and is not available.</exception>
    private static torch.Device ResolveDevice(string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(name ?? "", @"^(cpu|cuda)(:(\d+))?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (!match.Success)
            throw new ArgumentException($"Device must be \"cpu\", \"cuda\" or \"cuda:N\"; got \"{name}\".", nameof(Options.Device));
        if (match.Groups[1].Value.Equals("cpu", StringComparison.OrdinalIgnoreCase))
            return torch.CPU;
        if (!torch.cuda.is_available())
        {
            throw new ArgumentException(
                $"Device \"{name}\" was requested, but CUDA is not available in this process. Reference TorchSharp-cuda-linux or TorchSharp-cuda-windows " +
                "instead of TorchSharp-cpu, run on a machine with an NVIDIA GPU and driver, or set Device = \"cpu\".", nameof(Options.Device));
        }
        int index = match.Groups[3].Success ? int.Parse(match.Groups[3].Value) : 0;
        if (index >= torch.cuda.device_count())
            throw new ArgumentException($"Device \"{name}\" was requested, but this machine has {torch.cuda.device_count()} CUDA device(s), numbered from 0.", nameof(Options.Device));
        return torch.device(DeviceType.CUDA, index);
    }

    /// <summary>Returns the schema shape the fitted transformer will produce, checking the input columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.CheckShape(inputSchema, _options.FeatureColumnName, _options.LabelColumnName, _architecture.InputShape);
        var label = SchemaChecks.Find(inputSchema, _options.LabelColumnName);
        return EnvironmentAccess.AddScoreColumns(inputSchema, label, _options.ScoreColumnName, _options.PredictedLabelColumnName);
    }

    private static void Validate(Options options)
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be {expected}; got {value}.");
        }
        Check(options.Epochs is null or > 0, nameof(Options.Epochs), options.Epochs, "at least 1 (or null for the architecture's default)");
        Check(options.BatchSize > 0, nameof(Options.BatchSize), options.BatchSize, "at least 1");
        Check(options.LearningRate > 0 && double.IsFinite(options.LearningRate), nameof(Options.LearningRate), options.LearningRate, "a positive finite number");
        Check(options.Rho is >= 0 and < 1, nameof(Options.Rho), options.Rho, "in [0, 1)");
        Check(options.Epsilon > 0 && double.IsFinite(options.Epsilon), nameof(Options.Epsilon), options.Epsilon, "a positive finite number");
        Check(options.NumberOfThreads is null or > 0, nameof(Options.NumberOfThreads), options.NumberOfThreads, "at least 1 (or null for one per core)");
        Check(options.Beta1 is >= 0 and < 1, nameof(Options.Beta1), options.Beta1, "in [0, 1)");
        Check(options.Beta2 is >= 0 and < 1, nameof(Options.Beta2), options.Beta2, "in [0, 1)");
        Check(options.Momentum is >= 0 and < 1, nameof(Options.Momentum), options.Momentum, "in [0, 1)");
        Check(!options.Nesterov || options.Momentum > 0, nameof(Options.Momentum), options.Momentum, "above 0 when Nesterov is set");
        Check(options.WeightDecay is null or >= 0, nameof(Options.WeightDecay), options.WeightDecay, "0 or more (or null for the optimizer's default)");
        Check(options.ValidationFraction is >= 0 and < 1, nameof(Options.ValidationFraction), options.ValidationFraction, "in [0, 1)");
        Check(options.Patience > 0, nameof(Options.Patience), options.Patience, "at least 1");
        Check(options.MinDelta >= 0, nameof(Options.MinDelta), options.MinDelta, "0 or more");
        Check(!options.ResumeFromCheckpoint || !string.IsNullOrWhiteSpace(options.CheckpointDirectory), nameof(Options.CheckpointDirectory), options.CheckpointDirectory, "a folder when ResumeFromCheckpoint is set");
        if (options.ValidationSet is not null && options.ValidationFraction > 0)
            throw new ArgumentException($"Give either ValidationSet or ValidationFraction, not both (ValidationFraction is {options.ValidationFraction}).", nameof(Options.ValidationFraction));
        ArgumentNullException.ThrowIfNull(options.LearningRateSchedule, nameof(Options.LearningRateSchedule));
        foreach (var (name, value) in new[] { (nameof(Options.LabelColumnName), options.LabelColumnName), (nameof(Options.FeatureColumnName), options.FeatureColumnName), (nameof(Options.ScoreColumnName), options.ScoreColumnName), (nameof(Options.PredictedLabelColumnName), options.PredictedLabelColumnName) })
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must name a column; got '{value}'.", name);
        }
    }
}
