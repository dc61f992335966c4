using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Common.Internals;

namespace MLNet.ConvNet.Training;

/// <summary>
/// The data a Fit trains on, checked before anything is read (<see cref="Check"/>: the columns, the image shape, the
/// classes) and then read once (<see cref="Read"/>): in memory up to the memory budget, streamed past it, with the
/// validation rows from the validation set or a split of the training rows.
/// </summary>
internal sealed class TrainingInput
{
    private readonly IDataView _data;
    private readonly TrainingSettings _settings;

    private TrainingInput(IDataView data, TrainingSettings settings, ImageShape shape, TrainingColumns columns)
    {
        _data = data;
        _settings = settings;
        Shape = shape;
        Columns = columns;
    }

    /// <summary>The shape of one image, as the options, the features column or the architecture give it.</summary>
    public ImageShape Shape { get; }

    /// <summary>The columns training reads, the feature size, the class count, the cancellation check and the task with what it took from the label column.</summary>
    public TrainingColumns Columns { get; }

    /// <summary>The training label column, detached with its key values, for the fitted model to name its classes by.</summary>
    public DataViewSchema.DetachedColumn LabelColumn
    {
        get
        {
            var label = _data.Schema[Columns.Label];
            return new DataViewSchema.DetachedColumn(label.Name, label.Type, label.Annotations);
        }
    }

    /// <summary>
    /// Checks the features, label and weight columns of <paramref name="data"/> with ML.NET's wording, resolves the image
    /// shape and counts the classes. Reads no row, except to count them when the label has fewer than two classes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">The data has no rows, or its label one class only.</exception>
    public static TrainingInput Check(IDataView data, TrainingSettings settings, Action checkCancelled)
    {
        var s = settings;
        var shape = SchemaChecks.ResolveImageShape(data.Schema, s.Columns.Features, s.InputShape, s.Architecture.InputShape, s.Architecture.Name);
        CheckAtLeastTwoClasses(data, s.Columns.Label);
        int classes = s.Task.CheckLabel(s.Columns.Label, SchemaChecks.LabelType(data.Schema, s.Columns.Label));
        if (s.WeightColumn is not null)
            SchemaChecks.CheckWeightColumn(data.Schema, s.WeightColumn);
        var task = s.Task.ForLabel(data.Schema[s.Columns.Label], classes);
        return new TrainingInput(data, settings with { Task = task }, shape, new TrainingColumns(s.Columns.Features, s.Columns.Label, s.WeightColumn, shape.Size, classes, checkCancelled, task));
    }

    /// <summary>
    /// Reads the training rows (in memory, or as a stream over <see cref="TrainingSettings.InMemoryBudgetBytes"/>) and
    /// the validation rows, telling the log what was read and what was skipped.
    /// </summary>
    /// <exception cref="InvalidOperationException">No labelled rows, a value that cannot be trained on, or a validation split of a stream.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The validation set's columns do not match the training data's.</exception>
    public (ITrainingRows Training, TrainingData? Validation) Read(IChannel channel)
    {
        var s = _settings;
        var clock = Stopwatch.StartNew();
        // A data view that does not know its row count is counted first (the label column only).
        StreamingRows? counted = null;
        long rows = _data.GetRowCount() ?? (counted = OpenStream()).Count;
        var (training, validation) = rows * TrainingData.BytesPerRow(Shape.Size, Columns.LabelWidth) > s.InMemoryBudgetBytes
            ? Stream(channel, counted ?? OpenStream(), clock)
            : ReadIntoMemory(channel, clock);
        if (training.SkippedMissingLabels > 0)
            ChannelLog.Warning(channel, $"Skipped {training.SkippedMissingLabels:N0} rows whose label '{Columns.Label}' is missing.");
        WarnIfUnscaled(channel, training.FeatureRange);
        return (training, validation);
    }

    /// <summary>The first <paramref name="count"/> images' features (fewer when there are fewer rows), image after image.</summary>
    public float[] FirstImages(int count)
    {
        var column = _data.Schema[Columns.Features];
        var images = new float[(long)count * Shape.Size];
        int read = 0;
        using (var cursor = _data.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            for (; read < count && cursor.MoveNext(); read++)
            {
                Columns.CheckCancelled();
                getter(ref value);
                value.CopyTo(images.AsSpan(read * Shape.Size, Shape.Size));
            }
        }
        return read == count ? images : images[..(read * Shape.Size)];
    }

    /// <summary>One warning when the features look like raw bytes rather than pixels scaled to [0, 1]; training goes on.</summary>
    public void WarnIfUnscaled(IChannel channel, FeatureRange? range)
    {
        if (range is not { LooksUnscaled: true } r)
            return;
        ChannelLog.Warning(channel,
            $"The features in '{Columns.Features}' range from {r}; the networks and their recipe expect pixels scaled to [0, 1] " +
            "(MnistDataset and ConvNetImageFeatures scale them). Scale raw bytes by 1/255 (for example ml.Transforms.NormalizeMinMax, or " +
            "ExtractPixels' scaleImage: 1f / 255), or accuracy suffers. Training goes on with the features as they are, and the model remembers their range.");
    }

    private StreamingRows OpenStream() => StreamingRows.Open(_data, Columns, _settings.BatchSize, _settings.ShuffleBufferBytes);

    private (ITrainingRows, TrainingData?) ReadIntoMemory(IChannel channel, Stopwatch clock)
    {
        var s = _settings;
        var data = TrainingData.Read(_data, Columns);
        if (data.DropUniformWeights() is float uniform)
            ChannelLog.Info(channel, $"Every example weight in '{s.WeightColumn}' is {uniform}: the weighted loss is the unweighted one, and training computes it so.");
        var validation = ReadValidationSet();
        if (s.ValidationFraction > 0)
            (data, validation) = data.Split(s.ValidationFraction, s.Seed);
        if (data.Count == 0)
            throw new InvalidOperationException($"The training data has no rows with a label in column '{Columns.Label}'; a ConvNet needs at least one labelled image.");
        if (validation is { Count: 0 })
            throw new InvalidOperationException("The validation data has no labelled rows; give a validation set with rows, or a larger ValidationFraction.");
        ChannelLog.Info(channel, $"Read {data.Count:N0} training images{(validation is null ? "" : $" and {validation.Count:N0} validation images")} of {Shape} in {clock.Elapsed.TotalSeconds:F1} s.");
        return (data, validation);
    }

    private (ITrainingRows, TrainingData?) Stream(IChannel channel, StreamingRows data, Stopwatch clock)
    {
        var s = _settings;
        if (s.ValidationFraction > 0)
        {
            throw new InvalidOperationException(
                $"The training data is larger than InMemoryBudgetBytes ({s.InMemoryBudgetBytes:N0} bytes), so it streams, and a stream cannot hold out a ValidationFraction. " +
                "Give a ValidationSet, or raise InMemoryBudgetBytes if the data fits in memory.");
        }
        var validation = ReadValidationSet();
        ChannelLog.Info(channel, $"Streaming {data.Count:N0} training images of {Shape} ({data.Count * TrainingData.BytesPerRow(Shape.Size, Columns.LabelWidth) / (1 << 20):N0} MiB, over the budget of " +
            $"{s.InMemoryBudgetBytes / (1 << 20):N0} MiB) through a shuffle buffer of {data.BufferRows:N0} images; counted in {clock.Elapsed.TotalSeconds:F1} s.");
        return (data, validation);
    }

    /// <summary>The validation set's rows, in memory (unweighted); null when there is no validation set.</summary>
    private TrainingData? ReadValidationSet()
    {
        if (_settings.ValidationSet is not { } validationSet)
            return null;
        int validationClasses = Columns.Task.CheckLabel(Columns.Label, SchemaChecks.LabelType(validationSet.Schema, Columns.Label));
        SchemaChecks.CheckFeatureColumn(validationSet.Schema, Columns.Features, Shape, "validate with");
        if (validationClasses != Columns.Classes)
            throw new ArgumentOutOfRangeException(nameof(ConvNetTrainer.Options.ValidationSet), $"Schema mismatch for label column '{Columns.Label}' of the validation set: expected {Columns.Classes} values (a key's values, or tags) as in the training data, got {validationClasses}.");
        return TrainingData.Read(validationSet, Columns.Unweighted);
    }

    /// <summary>
    /// MapValueToKey over data with no rows, or with one class only, makes a key type of fewer than two values; say
    /// which of the two it is, rather than describe the key type.
    /// </summary>
    private static void CheckAtLeastTwoClasses(IDataView input, string label)
    {
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
}
