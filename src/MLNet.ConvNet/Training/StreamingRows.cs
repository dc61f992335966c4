using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Tasks;

namespace MLNet.ConvNet.Training;

/// <summary>
/// Training rows too many to hold: every epoch reads the data view again, from the start, through a shuffle buffer.
/// The buffer fills with the first rows; each batch then takes rows from random places in it, and every row taken is
/// replaced by the next row read, as tf.data's shuffle buffer does. Memory is the buffer alone, whatever the number of
/// rows; the same seed and epoch give the same batches. Rows far apart in the data (such as a file sorted by class)
/// mix only as far as the buffer reaches, so a buffer smaller than the data shuffles less than the in-memory path.
/// </summary>
internal sealed class StreamingRows : ITrainingRows
{
    private readonly IDataView _data;
    private readonly string _features, _label;
    private readonly string? _weight;
    private readonly int _featureSize, _classes, _bufferRows, _labelWidth;
    private readonly Action _checkCancelled;
    private readonly ConvNetTask _task;
    private float[]? _bufferFeatures;
    private float[]? _bufferLabels;
    private float[]? _bufferWeights;

    private StreamingRows(IDataView data, TrainingColumns columns, int bufferRows, int count, long skipped, LabelMoments moments)
    {
        _data = data;
        (_features, _label, _weight, _featureSize, _classes, _checkCancelled, _task) = columns;
        _labelWidth = columns.LabelWidth;
        _bufferRows = bufferRows;
        Count = count;
        SkippedMissingLabels = skipped;
        Moments = moments;
    }

    public int Count { get; }

    public bool HasWeights => _weight is not null;

    /// <summary>The range of every feature value, once the first epoch has read them all; the epochs after it do not look again.</summary>
    public FeatureRange? FeatureRange { get; private set; }

    private bool _rangeComplete;

    /// <summary>Rows left out because their label was missing (key 0, or NaN).</summary>
    public long SkippedMissingLabels { get; }

    /// <summary>The labels' count, mean and variance, from the counting pass.</summary>
    public LabelMoments Moments { get; }

    /// <summary>Rows the shuffle buffer holds.</summary>
    public int BufferRows => _bufferRows;

    /// <summary>
    /// Counts the labelled rows of <paramref name="data"/> once (reading the label column only, and its moments) and sets up the stream,
    /// with a shuffle buffer of <paramref name="bufferBytes"/> that holds at least 4 batches.
    /// </summary>
    public static StreamingRows Open(IDataView data, TrainingColumns columns, int batchSize, long bufferBytes)
    {
        string label = columns.Label;
        int count = 0;
        long skipped = 0;
        var moments = new LabelMoments();
        var value = new float[columns.LabelWidth];
        using (var cursor = data.GetRowCursor([data.Schema[label]]))
        {
            var getLabel = columns.Task.ReadLabels(cursor, data.Schema[label], columns.Classes);
            while (cursor.MoveNext())
            {
                if ((cursor.Position & 4095) == 0)
                    columns.CheckCancelled();
                if (!getLabel(cursor.Position, value, out string? badLabel))
                {
                    if (badLabel is not null)
                        throw new InvalidOperationException(badLabel);
                    skipped++;
                    continue;
                }
                count = checked(count + 1);
                foreach (float v in value)
                    moments.Add(v);
            }
        }
        if (count == 0)
            throw new InvalidOperationException($"The training data has no rows with a label in column '{label}'; a ConvNet needs at least one labelled image.");
        long rows = Math.Max(4L * batchSize, bufferBytes / TrainingData.BytesPerRow(columns.FeatureSize, columns.LabelWidth));
        return new StreamingRows(data, columns, (int)Math.Min(rows, count), count, skipped, moments);
    }

    public IEnumerable<int> Batches(int epoch, int batchSize, int seed, bool shuffle, float[] features, float[] labels, float[]? weights)
    {
        var random = new Random(TrainingData.EpochSeed(seed, epoch));
        // One buffer for every epoch; unshuffled, a buffer of one row passes the rows on in order.
        var bufferFeatures = _bufferFeatures ??= new float[(long)_bufferRows * _featureSize];
        int width = _labelWidth;
        var bufferLabels = _bufferLabels ??= new float[(long)_bufferRows * width];
        var bufferWeights = _bufferWeights ??= new float[_bufferRows];
        int capacity = shuffle ? _bufferRows : 1;
        var columns = new List<DataViewSchema.Column> { _data.Schema[_features], _data.Schema[_label] };
        if (_weight is not null)
            columns.Add(_data.Schema[_weight]);
        using var cursor = _data.GetRowCursor(columns);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(_data.Schema[_features]);
        var getLabel = _task.ReadLabels(cursor, _data.Schema[_label], _classes);
        var getWeight = _weight is null ? null : cursor.GetGetter<float>(_data.Schema[_weight]);
        VBuffer<float> vector = default;
        float weight = 1;

        // Reads the next labelled row into buffer slot `slot`; false at the end of the data.
        bool ReadInto(int slot)
        {
            while (true)
            {
                if (!cursor.MoveNext())
                    return false;
                if ((cursor.Position & 1023) == 0)
                    _checkCancelled();
                long row = cursor.Position;
                if (!getLabel(row, bufferLabels.AsSpan(slot * width, width), out string? badLabel))
                {
                    if (badLabel is not null)
                        throw new InvalidOperationException(badLabel);
                    continue;
                }
                if (getWeight is not null)
                {
                    getWeight(ref weight);
                    if (TrainingData.WeightProblem(weight, row, _weight) is { } badWeight)
                        throw new InvalidOperationException(badWeight);
                }
                getFeatures(ref vector);
                if (FeatureRows.CopyChecked(vector, bufferFeatures.AsSpan((int)((long)slot * _featureSize), _featureSize), row, _features) is { } problem)
                    throw new InvalidOperationException(problem);
                if (!_rangeComplete)
                    FeatureRange = ConvNet.FeatureRange.Of(bufferFeatures.AsSpan((int)((long)slot * _featureSize), _featureSize), FeatureRange);
                bufferWeights[slot] = weight;
                return true;
            }
        }

        int filled = 0;
        while (filled < capacity && ReadInto(filled))
            filled++;
        int emitted = 0;
        while (filled > 0)
        {
            int size = Math.Min(batchSize, filled);
            for (int i = 0; i < size; i++)
            {
                int slot = shuffle ? random.Next(filled) : 0;
                Array.Copy(bufferFeatures, (long)slot * _featureSize, features, (long)i * _featureSize, _featureSize);
                Array.Copy(bufferLabels, (long)slot * width, labels, (long)i * width, width);
                if (weights is not null)
                    weights[i] = bufferWeights[slot];
                if (!ReadInto(slot))
                {
                    // The data is used up: close the gap with the last row the buffer holds.
                    filled--;
                    Array.Copy(bufferFeatures, (long)filled * _featureSize, bufferFeatures, (long)slot * _featureSize, _featureSize);
                    Array.Copy(bufferLabels, (long)filled * width, bufferLabels, (long)slot * width, width);
                    bufferWeights[slot] = bufferWeights[filled];
                }
            }
            emitted += size;
            yield return size;
        }
        if (emitted != Count)
            throw new InvalidOperationException($"The training data gave {emitted:N0} labelled rows in epoch {epoch}, and {Count:N0} when it was counted. It must give the same rows every time it is read.");
        _rangeComplete = true;
    }
}
