using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Training;

/// <summary>
/// The training rows copied once into contiguous memory: features image after image, and each label as
/// a 0-based class index. Epochs then shuffle indices, not rows.
/// </summary>
internal sealed class TrainingData
{
    private TrainingData(float[] features, long[] labels, int featureSize, long skippedMissingLabels)
    {
        Features = features;
        Labels = labels;
        FeatureSize = featureSize;
        SkippedMissingLabels = skippedMissingLabels;
    }

    public float[] Features { get; }
    public long[] Labels { get; }
    public int FeatureSize { get; }
    public int Count => Labels.Length;

    /// <summary>Rows left out because their label key was missing (0).</summary>
    public long SkippedMissingLabels { get; }

    /// <summary>Reads every row of <paramref name="data"/>; the columns were checked by the trainer.</summary>
    /// <exception cref="InvalidOperationException">A feature is NaN or infinite, or a label key exceeds the class count.</exception>
    public static TrainingData Read(IDataView data, string featureColumn, string labelColumn, int featureSize, int numberOfClasses, Action checkCancelled)
    {
        long row = -1;
        try
        {
            return ReadRows(data, featureColumn, labelColumn, featureSize, numberOfClasses, checkCancelled, ref row);
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

    private static TrainingData ReadRows(IDataView data, string featureColumn, string labelColumn, int featureSize, int numberOfClasses, Action checkCancelled, ref long row)
    {
        var features = new List<float[]>();
        var labels = new List<long>();
        long skipped = 0;
        var featureCol = data.Schema[featureColumn];
        var labelCol = data.Schema[labelColumn];
        using var cursor = data.GetRowCursor(new[] { featureCol, labelCol });
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureCol);
        var getLabel = cursor.GetGetter<uint>(labelCol);
        VBuffer<float> buffer = default;
        uint key = 0;
        float[] chunk = null;
        int inChunk = 0;
        const int rowsPerChunk = 4096;
        while (true)
        {
            row++; // before MoveNext, which is where an upstream transform fails
            if (!cursor.MoveNext())
                break;
            if ((row & 1023) == 0)
                checkCancelled();
            getLabel(ref key);
            if (key == 0)
            {
                skipped++;
                continue;
            }
            if (key > numberOfClasses)
                throw new FailedRowException($"Row {row} of column '{labelColumn}' has key {key}, but the column's key type has {numberOfClasses} values.");
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
            labels.Add(key - 1);
        }

        var all = new float[(long)labels.Count * featureSize];
        long copied = 0;
        foreach (var c in features)
        {
            long take = Math.Min(c.LongLength, all.LongLength - copied);
            Array.Copy(c, 0, all, copied, take);
            copied += take;
        }
        return new TrainingData(all, labels.ToArray(), featureSize, skipped);
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
        var labels = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(Features, (long)rows[i] * FeatureSize, features, (long)i * FeatureSize, FeatureSize);
            labels[i] = Labels[rows[i]];
        }
        return new TrainingData(features, labels, FeatureSize, SkippedMissingLabels);
    }
}
