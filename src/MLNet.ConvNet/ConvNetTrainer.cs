using System.Diagnostics;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Common.Internals;
using MLNet.ConvNet.Native;
using MLNet.ConvNet.Scoring.Internals;
using MLNet.ConvNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
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
public sealed partial class ConvNetTrainer : ITrainerEstimator<ConvNetTransformer, ConvNetModelParameters>
{
    private readonly IHost _host;
    private readonly TrainingSettings _settings;

    /// <exception cref="ArgumentException">An option is out of range or the architecture is not registered.</exception>
    internal ConvNetTrainer(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(ConvNetTrainer));
        _settings = options.Resolve(EnvironmentAccess.SeedOf(env));
    }

    /// <summary>
    /// What ML.NET's tools read about a trainer: no feature normalization needed (pixels come scaled to [0, 1]), no
    /// calibration (the scores are softmax probabilities), no caching needed (the rows are read once into memory), and
    /// validation data supported.
    /// </summary>
    public TrainerInfo Info { get; } = Internals.TrainerInfoAccess.Create(normalization: false, calibration: false, caching: false, supportValidation: true);

    /// <summary>The architecture this trainer builds.</summary>
    public ConvNetArchitecture Architecture => _settings.Architecture;

    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (ML.NET's schema-mismatch wording).</exception>
    /// <exception cref="ArgumentException">The device asked for is not available.</exception>
    /// <exception cref="InvalidOperationException">The data has no usable rows, or holds values that cannot be trained on.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled through the options or the MLContext.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public ConvNetTransformer Fit(IDataView input) => Fit(input, modelParameters: null);

    /// <summary>
    /// Continues training a fitted network on <paramref name="input"/>, as ML.NET's trainers take a warm start: the
    /// network starts from <paramref name="modelParameters"/>' weights (a fresh optimizer, this trainer's options and
    /// epochs). The architecture, the input shape and the classes must be the fitted model's. The returned transformer's
    /// History holds this run's epochs.
    /// </summary>
    /// <param name="input">The data to train on.</param>
    /// <param name="modelParameters">A fitted model's parameters (<c>transformer.Model</c>), or null to start afresh.</param>
    /// <inheritdoc cref="Fit(IDataView)" path="/exception"/>
    /// <exception cref="ArgumentException">The fitted model has another architecture, input shape or number of classes.</exception>
    public ConvNetTransformer Fit(IDataView input, ConvNetModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = _settings;
        var shape = SchemaChecks.ResolveImageShape(input.Schema, s.Columns.Features, s.InputShape, s.Architecture.InputShape, s.Architecture.Name);
        CheckAtLeastTwoClasses(input);
        int classes = SchemaChecks.CheckLabelColumn(input.Schema, s.Columns.Label);
        if (s.WeightColumn is not null)
            SchemaChecks.CheckWeightColumn(input.Schema, s.WeightColumn);
        var device = s.Device.Open(nameof(Options.Device));
        string allocator = s.TuneAllocator ? AllocatorTuning.Apply() : "not tuned (TuneAllocator is off)";
        void CheckCancelled()
        {
            s.CancellationToken.ThrowIfCancellationRequested();
            EnvironmentAccess.ThrowIfCancelled(_host);
        }

        using var channel = _host.Start("Training");
        torch.set_num_threads(s.Threads);
        if (modelParameters is not null)
            CheckWarmStart(modelParameters, shape, classes);
        var network = ConvNetModule.Create(s.Architecture, shape, classes, s.Seed);
        if (modelParameters is not null)
            network.LoadWeights(modelParameters.Network.SnapshotWeights());
        network.to(device);
        try
        {
            var (data, validation) = ReadData(channel, input, shape, classes, CheckCancelled);
            if (data.SkippedMissingLabels > 0)
                ChannelLog.Warning(channel, $"Skipped {data.SkippedMissingLabels:N0} rows whose label '{s.Columns.Label}' is missing.");
            WarnIfUnscaled(channel, data.FeatureRange);
            ChannelLog.Info(channel, network.Summary());
            ChannelLog.Info(channel, s.Describe(shape, allocator));
            using var progress = _host.StartProgressChannel("ConvNet training");
            var loop = new TrainingLoop(network, data, validation, s, device);
            var history = loop.Run(channel, progress, CheckCancelled);
            if (data is StreamingRows)
                WarnIfUnscaled(channel, data.FeatureRange);

            var label = input.Schema[s.Columns.Label];
            var labelColumn = new DataViewSchema.DetachedColumn(label.Name, label.Type, label.Annotations);
            var record = new TrainingRecord(history, loop.FinalEpoch, data.FeatureRange, s.Augmentation, s.Describe(shape));
            return new ConvNetTransformer(_host, network, s.Columns, labelColumn, record);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// MapValueToKey over data with no rows, or with one class only, makes a key type of fewer than two values; say
    /// which of the two it is, rather than describe the key type.
    /// </summary>
    private void CheckAtLeastTwoClasses(IDataView input)
    {
        string label = _settings.Columns.Label;
        if (input.Schema.GetColumnOrNull(label) is not { Type: KeyDataViewType { Count: < 2 } key } column)
            return;
        long rows = input.GetRowCount() ?? CountRows(input);
        if (rows == 0)
        {
            throw new InvalidOperationException(
                $"The training data has no rows (so the label column '{label}' has no classes). Check the loader, file or filter that produced it; a ConvNet needs labelled images of at least two classes.");
        }
        string name = "";
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.Annotations.GetValue("KeyValues", ref values);
            name = string.Join(", ", values.DenseValues().Select(v => $"'{v}'"));
        }
        throw new InvalidOperationException(
            $"The label column '{label}' has only {(key.Count == 1 ? "one class" : "no class")}{(name.Length > 0 ? $" ({name})" : "")} in {rows:N0} rows; a classifier needs at least two. " +
            "Give it images of at least two classes (and map the label to keys over all of them).");
    }

    private static long CountRows(IDataView data)
    {
        long rows = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
            rows++;
        return rows;
    }

    /// <summary>One warning when the features look like raw bytes rather than pixels scaled to [0, 1]; training goes on.</summary>
    private void WarnIfUnscaled(IChannel channel, FeatureRange? range)
    {
        if (range is not { LooksUnscaled: true } r)
            return;
        ChannelLog.Warning(channel,
            $"The features in '{_settings.Columns.Features}' range from {r}; the networks and their recipe expect pixels scaled to [0, 1] " +
            "(MnistDataset and ConvNetImageFeatures scale them). Scale raw bytes by 1/255 (for example ml.Transforms.NormalizeMinMax, or " +
            "ExtractPixels' scaleImage: 1f / 255), or accuracy suffers. Training goes on with the features as they are, and the model remembers their range.");
    }

    private void CheckWarmStart(ConvNetModelParameters fitted, ImageShape shape, int classes)
    {
        var s = _settings;
        if (!string.Equals(fitted.Architecture.Name, s.Architecture.Name, StringComparison.OrdinalIgnoreCase) || fitted.InputShape != shape || fitted.NumberOfClasses != classes)
        {
            throw new ArgumentException(
                $"A warm start continues a fitted network of the same shape: the fitted model is {fitted.Architecture.Name} on {fitted.InputShape} images with {fitted.NumberOfClasses} classes, " +
                $"but this trainer builds {s.Architecture.Name} on {shape} images with {classes} classes. Set Architecture (and InputShape) as the fitted model's, and map the label to the same classes.",
                "modelParameters");
        }
    }

    /// <summary>Reads the training rows, and the validation rows from the validation set or a split of the training rows.</summary>
    private (ITrainingRows Training, TrainingData Validation) ReadData(IChannel channel, IDataView input, ImageShape shape, int classes, Action checkCancelled)
    {
        var s = _settings;
        var clock = Stopwatch.StartNew();
        StreamingRows Open() => StreamingRows.Open(input, s.Columns.Features, s.Columns.Label, s.WeightColumn, shape.Size, classes, s.BatchSize, s.ShuffleBufferBytes, checkCancelled);
        // A data view that does not know its row count is counted first (the label column only).
        StreamingRows counted = null;
        long rows = input.GetRowCount() ?? (counted = Open()).Count;
        if (rows * TrainingData.BytesPerRow(shape.Size) > s.InMemoryBudgetBytes)
            return Stream(channel, shape, classes, checkCancelled, counted ?? Open(), clock);
        var data = TrainingData.Read(input, s.Columns.Features, s.Columns.Label, s.WeightColumn, shape.Size, classes, checkCancelled);
        if (data.DropUniformWeights() is float uniform)
            ChannelLog.Info(channel, $"Every example weight in '{s.WeightColumn}' is {uniform}: the weighted loss is the unweighted one, and training computes it so.");
        var validation = ReadValidationSet(shape, classes, checkCancelled);
        if (s.ValidationFraction > 0)
        {
            (data, validation) = data.Split(s.ValidationFraction, s.Seed);
        }
        if (data.Count == 0)
            throw new InvalidOperationException($"The training data has no rows with a label in column '{s.Columns.Label}'; a ConvNet needs at least one labelled image.");
        if (validation is { Count: 0 })
            throw new InvalidOperationException("The validation data has no labelled rows; give a validation set with rows, or a larger ValidationFraction.");
        ChannelLog.Info(channel, $"Read {data.Count:N0} training images{(validation is null ? "" : $" and {validation.Count:N0} validation images")} of {shape} in {clock.Elapsed.TotalSeconds:F1} s.");
        return (data, validation);
    }

    /// <summary>The validation set's rows, in memory (unweighted); null when there is no validation set.</summary>
    private TrainingData ReadValidationSet(ImageShape shape, int classes, Action checkCancelled)
    {
        var s = _settings;
        if (s.ValidationSet is not { } validationSet)
            return null;
        int validationClasses = SchemaChecks.CheckLabelColumn(validationSet.Schema, s.Columns.Label);
        SchemaChecks.CheckFeatureColumn(validationSet.Schema, s.Columns.Features, shape, "validate with");
        if (validationClasses != classes)
            throw new ArgumentOutOfRangeException(nameof(Options.ValidationSet), $"Schema mismatch for label column '{s.Columns.Label}' of the validation set: expected key type with {classes} values as in the training data, got {validationClasses} values.");
        return TrainingData.Read(validationSet, s.Columns.Features, s.Columns.Label, weightColumn: null, shape.Size, classes, checkCancelled);
    }

    /// <summary>The training rows as a stream (more than the memory budget), and the validation set in memory.</summary>
    private (ITrainingRows Training, TrainingData Validation) Stream(IChannel channel, ImageShape shape, int classes, Action checkCancelled, StreamingRows data, Stopwatch clock)
    {
        var s = _settings;
        if (s.ValidationFraction > 0)
        {
            throw new InvalidOperationException(
                $"The training data is larger than InMemoryBudgetBytes ({s.InMemoryBudgetBytes:N0} bytes), so it streams, and a stream cannot hold out a ValidationFraction. " +
                "Give a ValidationSet, or raise InMemoryBudgetBytes if the data fits in memory.");
        }
        var validation = ReadValidationSet(shape, classes, checkCancelled);
        ChannelLog.Info(channel, $"Streaming {data.Count:N0} training images of {shape} ({data.Count * TrainingData.BytesPerRow(shape.Size) / (1 << 20):N0} MiB, over the budget of " +
            $"{s.InMemoryBudgetBytes / (1 << 20):N0} MiB) through a shuffle buffer of {data.BufferRows:N0} images; counted in {clock.Elapsed.TotalSeconds:F1} s.");
        return (data, validation);
    }

    /// <summary>Returns the schema shape the fitted transformer will produce, checking the input columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = _settings.Columns;
        SchemaChecks.CheckShape(inputSchema, columns.Features, columns.Label, _settings.Architecture.InputShape);
        if (_settings.WeightColumn is not null)
            SchemaChecks.CheckWeightShape(inputSchema, _settings.WeightColumn);
        var label = SchemaChecks.Find(inputSchema, columns.Label);
        return ScoreColumns.Add(inputSchema, label, columns.Score, columns.PredictedLabel);
    }
}
