using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Tasks;

namespace MLNet.ConvNet.Training;

/// <summary>
/// The training rows copied once into contiguous memory: features image after image, each label as the task reads it
/// (a 0-based class index, 0 or 1, a number, or one 0-to-1 value per tag), and each example's weight when there is a
/// weight column. Epochs then shuffle indices, not rows.
/// </summary>
internal sealed class TrainingData : ITrainingRows
{
    private TrainingData(float[] features, float[] labels, float[]? weights, int featureSize, int labelWidth, long skippedMissingLabels)
    {
        Features = features;
        Labels = labels;
        LabelWidth = labelWidth;
        Weights = weights;
        FeatureSize = featureSize;
        SkippedMissingLabels = skippedMissingLabels;
    }

    public float[] Features { get; }
    /// <summary>The labels, <see cref="LabelWidth"/> floats per row.</summary>
    public float[] Labels { get; }

    /// <summary>The floats per row's label: 1, or one per tag.</summary>
    public int LabelWidth { get; }

    public LabelMoments Moments => _moments ??= LabelMoments.Of(Labels);

    private LabelMoments? _moments;

    /// <summary>Each row's example weight; null when every row weighs the same.</summary>
    public float[]? Weights { get; private set; }

    public int FeatureSize { get; }
    public int Count => Labels.Length / LabelWidth;

    /// <summary>Rows left out because their label was missing (key 0, or NaN).</summary>
    public long SkippedMissingLabels { get; }

    public bool HasWeights => Weights is not null;

    public FeatureRange? FeatureRange => _range ??= ConvNet.FeatureRange.Of(Features);

    private FeatureRange? _range;

    /// <summary>
    /// Batches over indices shuffled by (seed, epoch). A short batch (rows not a multiple of the batch size) comes
    /// first, which keeps resident memory flat (docs/benchmarks.md); the rows are shuffled, so which ones form it is
    /// random either way.
    /// </summary>
    public IEnumerable<int> Batches(int epoch, int batchSize, int seed, bool shuffle, float[] features, float[] labels, float[]? weights)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        if (shuffle)
            new Random(EpochSeed(seed, epoch)).Shuffle(order);
        int shortBatch = Count % batchSize;
        int batches = (Count + batchSize - 1) / batchSize;
        for (int batch = 0; batch < batches; batch++)
        {
            int start = batch == 0 ? 0 : shortBatch == 0 ? batch * batchSize : shortBatch + (batch - 1) * batchSize;
            int size = batch == 0 && shortBatch != 0 ? shortBatch : Math.Min(batchSize, Count - start);
            for (int i = 0; i < size; i++)
            {
                int row = order[start + i];
                Array.Copy(Features, (long)row * FeatureSize, features, (long)i * FeatureSize, FeatureSize);
                Array.Copy(Labels, (long)row * LabelWidth, labels, (long)i * LabelWidth, LabelWidth);
                if (weights is not null && Weights is not null)
                    weights[i] = Weights[row];
            }
            yield return size;
        }
    }

    /// <summary>The memory one row is budgeted: its features and label as float32, then 8 bytes for its weight (float32) and the shuffle's index.</summary>
    internal static long BytesPerRow(int featureSize, int labelWidth = 1) => (featureSize + (long)labelWidth) * 4L + 8;

    /// <summary>The seed of an epoch's shuffle: a function of the run's seed and the epoch, so a resumed run draws the same batches.</summary>
    internal static int EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch); // not HashCode: it is randomised per process

    /// <summary>
    /// Reads every row of <paramref name="data"/>, with the example weights when <paramref name="columns"/> names a
    /// weight column; the columns were checked before.
    /// </summary>
    /// <exception cref="InvalidOperationException">A feature, label or weight cannot be trained on (such as a label key past the class count).</exception>
    public static TrainingData Read(IDataView data, TrainingColumns columns)
    {
        long row = -1;
        try
        {
            return ReadRows(data, columns, ref row);
        }
        catch (FailedRowException e)
        {
            throw new InvalidOperationException(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // ML.NET reports a failing upstream transform (an image that cannot be read, say) in a message that
            // names only its parallel reader; the deepest cause says what is wrong.
            var cause = ExceptionChain.Innermost(e);
            throw new InvalidOperationException($"Reading row {row} of the data failed: {cause.Message} ({cause.GetType().Name})", e);
        }
    }

    /// <summary>A row this reader refuses; turned into <see cref="InvalidOperationException"/> with its message.</summary>
    private sealed class FailedRowException(string message) : Exception(message);

    /// <summary>Why a row's example weight cannot be trained on, or null.</summary>
    internal static string? WeightProblem(float weight, long row, string? column)
        => float.IsFinite(weight) && weight >= 0 ? null : $"Row {row} of the example weight column '{column}' has {weight}; example weights must be finite numbers of 0 or more.";

    private static TrainingData ReadRows(IDataView data, TrainingColumns columns, ref long row)
    {
        var (featureColumn, labelColumn, weightColumn, featureSize, numberOfClasses, checkCancelled, task) = columns;
        var features = new List<float[]>();
        int width = columns.LabelWidth;
        var labels = new List<float>();
        var label = new float[width];
        var weights = weightColumn is null ? null : new List<float>();
        long skipped = 0;
        var featureCol = data.Schema[featureColumn];
        var labelCol = data.Schema[labelColumn];
        var read = new List<DataViewSchema.Column> { featureCol, labelCol };
        if (weightColumn is not null)
            read.Add(data.Schema[weightColumn]);
        using var cursor = data.GetRowCursor(read);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureCol);
        var getLabel = task.ReadLabels(cursor, labelCol, numberOfClasses);
        var getWeight = weightColumn is null ? null : cursor.GetGetter<float>(data.Schema[weightColumn]);
        VBuffer<float> buffer = default;
        float weight = 1;
        float[]? chunk = null;
        int inChunk = 0;
        const int rowsPerChunk = 4096;
        while (true)
        {
            row++; // before MoveNext, which is where an upstream transform fails
            if (!cursor.MoveNext())
                break;
            if ((row & 1023) == 0)
                checkCancelled();
            if (!getLabel(row, label, out string? badLabel))
            {
                if (badLabel is not null)
                    throw new FailedRowException(badLabel);
                skipped++;
                continue;
            }
            if (getWeight is not null && weights is not null)
            {
                getWeight(ref weight);
                if (WeightProblem(weight, row, weightColumn) is { } badWeight)
                    throw new FailedRowException(badWeight);
                weights.Add(weight);
            }
            getFeatures(ref buffer);
            if (chunk is null || inChunk == rowsPerChunk)
            {
                chunk = new float[rowsPerChunk * featureSize];
                features.Add(chunk);
                inChunk = 0;
            }
            if (FeatureRows.CopyChecked(buffer, chunk.AsSpan(inChunk * featureSize, featureSize), row, featureColumn) is { } problem)
                throw new FailedRowException(problem);
            inChunk++;
            labels.AddRange(label);
        }
        if (weights is { Count: > 0 } && weights.All(w => w == 0))
            throw new FailedRowException($"Every example weight in column '{weightColumn}' is 0; at least one example must weigh more than 0.");

        var all = new float[(long)(labels.Count / width) * featureSize];
        long copied = 0;
        foreach (var c in features)
        {
            long take = Math.Min(c.LongLength, all.LongLength - copied);
            Array.Copy(c, 0, all, copied, take);
            copied += take;
        }
        return new TrainingData(all, labels.ToArray(), weights?.ToArray(), featureSize, width, skipped);
    }

    /// <summary>
    /// Drops the weights when every row weighs the same: the weighted loss is then the unweighted one, which is
    /// computed exactly as without a weight column. Returns the common weight, or null when the weights differ.
    /// </summary>
    public float? DropUniformWeights()
    {
        if (Weights is not { Length: > 0 } w || w.Any(x => x != w[0]))
            return null;
        Weights = null;
        return w[0];
    }

    /// <summary>
    /// Holds out <paramref name="fraction"/> of the rows, chosen with <paramref name="seed"/>, for validation;
    /// both parts keep the original row order.
    /// </summary>
    public (TrainingData Training, TrainingData Validation) Split(double fraction, int seed)
    {
        int held = (int)Math.Ceiling(Count * fraction);
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        var validation = order[..held];
        Array.Sort(validation);
        var training = order[held..];
        Array.Sort(training);
        return (Take(training), Take(validation));
    }

    private TrainingData Take(int[] rows)
    {
        var features = new float[(long)rows.Length * FeatureSize];
        var labels = new float[rows.Length * LabelWidth];
        var weights = Weights is null ? null : new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(Features, (long)rows[i] * FeatureSize, features, (long)i * FeatureSize, FeatureSize);
            Array.Copy(Labels, (long)rows[i] * LabelWidth, labels, (long)i * LabelWidth, LabelWidth);
            if (weights is not null && Weights is not null)
                weights[i] = Weights[rows[i]];
        }
        return new TrainingData(features, labels, weights, FeatureSize, LabelWidth, SkippedMissingLabels);
    }
}
