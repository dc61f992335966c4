using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Tasks.Internals;

namespace MLNet.ConvNet;

/// <summary>
/// A tagger's metrics over scored images (<c>mlContext.MulticlassClassification.EvaluateMultiLabel</c>), computed as
/// scikit-learn's multi-label metrics are: per tag (<see cref="PerTag"/>), micro-averaged (every image-tag pair pooled)
/// and macro-averaged (the tags' mean).
/// </summary>
public sealed class MultiLabelMetrics
{
    private MultiLabelMetrics(IReadOnlyList<TagMetrics> perTag, long images, long truePositives, long falsePositives, long falseNegatives, long wrong, long exact)
    {
        PerTag = perTag;
        Images = images;
        MicroPrecision = truePositives + falsePositives == 0 ? 0 : (double)truePositives / (truePositives + falsePositives);
        MicroRecall = truePositives + falseNegatives == 0 ? 0 : (double)truePositives / (truePositives + falseNegatives);
        long denominator = 2 * truePositives + falsePositives + falseNegatives;
        MicroF1 = denominator == 0 ? 0 : 2.0 * truePositives / denominator;
        MacroF1 = perTag.Average(t => t.F1);
        var aucs = perTag.Where(t => !double.IsNaN(t.Auc)).ToArray();
        MacroAuc = aucs.Length == 0 ? double.NaN : aucs.Average(t => t.Auc);
        HammingLoss = images == 0 ? 0 : (double)wrong / (images * perTag.Count);
        SubsetAccuracy = images == 0 ? 0 : (double)exact / images;
    }

    /// <summary>Each tag's metrics, in slot order.</summary>
    public IReadOnlyList<TagMetrics> PerTag { get; }

    /// <summary>The images scored.</summary>
    public long Images { get; }

    /// <summary>Precision over every image-tag pair.</summary>
    public double MicroPrecision { get; }

    /// <summary>Recall over every image-tag pair.</summary>
    public double MicroRecall { get; }

    /// <summary>F1 over every image-tag pair: frequent tags weigh more.</summary>
    public double MicroF1 { get; }

    /// <summary>The mean of the tags' F1: every tag weighs the same.</summary>
    public double MacroF1 { get; }

    /// <summary>The mean AUC of the tags that have one (some images with the tag, some without); NaN when none has.</summary>
    public double MacroAuc { get; }

    /// <summary>The share of image-tag pairs predicted wrong; 0 is perfect.</summary>
    public double HammingLoss { get; }

    /// <summary>The share of images whose every tag is predicted right.</summary>
    public double SubsetAccuracy { get; }

    internal static MultiLabelMetrics Compute(IDataView data, string labelColumn, string scoreColumn, string predictedColumn)
    {
        int tags = VectorSize(data.Schema, scoreColumn, NumberDataViewType.Single, "Score: each tag's probability, a known-size vector of Single");
        if (VectorSize(data.Schema, predictedColumn, BooleanDataViewType.Instance, "PredictedLabels: a known-size vector of Boolean") != tags)
            throw new ArgumentOutOfRangeException(nameof(predictedColumn), $"Schema mismatch for predicted labels column '{predictedColumn}': expected {tags} slots as the score column '{scoreColumn}' has, got {data.Schema[predictedColumn].Type}.");
        var labelType = data.Schema.GetColumnOrNull(labelColumn)?.Type;
        if (labelType is not VectorDataViewType { Size: var size, ItemType: var item } || size != tags || (item != BooleanDataViewType.Instance && item != NumberDataViewType.Single))
            throw SchemaChecks.Mismatch("label", labelColumn, $"a vector of {tags} Boolean (or Single) as the score column '{scoreColumn}' has", labelType?.ToString() ?? "no such column");

        var names = ScoreColumns.SlotNames(data.Schema[scoreColumn], tags);

        var scores = new List<float>[tags];
        var truths = new List<bool>[tags];
        for (int t = 0; t < tags; t++)
        {
            scores[t] = [];
            truths[t] = [];
        }
        long[] tp = new long[tags], fp = new long[tags], fn = new long[tags];
        long images = 0, wrong = 0, exact = 0;
        using (var cursor = data.GetRowCursor([data.Schema[labelColumn], data.Schema[scoreColumn], data.Schema[predictedColumn]]))
        {
            var readLabel = LabelReader(cursor, data.Schema[labelColumn]);
            var getScore = cursor.GetGetter<VBuffer<float>>(data.Schema[scoreColumn]);
            var getPredicted = cursor.GetGetter<VBuffer<bool>>(data.Schema[predictedColumn]);
            var truth = new bool[tags];
            VBuffer<float> score = default;
            VBuffer<bool> predicted = default;
            while (cursor.MoveNext())
            {
                readLabel(truth);
                getScore(ref score);
                getPredicted(ref predicted);
                var s = score.DenseValues().ToArray();
                var p = predicted.DenseValues().ToArray();
                bool allRight = true;
                for (int t = 0; t < tags; t++)
                {
                    scores[t].Add(s[t]);
                    truths[t].Add(truth[t]);
                    if (p[t] && truth[t]) tp[t]++;
                    else if (p[t]) fp[t]++;
                    else if (truth[t]) fn[t]++;
                    if (p[t] != truth[t])
                    {
                        wrong++;
                        allRight = false;
                    }
                }
                images++;
                if (allRight)
                    exact++;
            }
        }
        var perTag = new TagMetrics[tags];
        for (int t = 0; t < tags; t++)
        {
            long positives = tp[t] + fn[t];
            double precision = tp[t] + fp[t] == 0 ? 0 : (double)tp[t] / (tp[t] + fp[t]);
            double recall = positives == 0 ? 0 : (double)tp[t] / positives;
            long denominator = 2 * tp[t] + fp[t] + fn[t];
            perTag[t] = new TagMetrics(names[t], positives, Auc(scores[t], truths[t]), precision, recall, denominator == 0 ? 0 : 2.0 * tp[t] / denominator);
        }
        return new MultiLabelMetrics(perTag, images, tp.Sum(), fp.Sum(), fn.Sum(), wrong, exact);
    }

    private static int VectorSize(DataViewSchema schema, string column, DataViewType item, string expected)
    {
        var type = schema.GetColumnOrNull(column)?.Type;
        if (type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != item)
            throw SchemaChecks.Mismatch("score", column, expected, type?.ToString() ?? "no such column");
        return vector.Size;
    }

    private static Action<bool[]> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType { ItemType: BooleanDataViewType })
        {
            var getter = cursor.GetGetter<VBuffer<bool>>(column);
            VBuffer<bool> value = default;
            return truth =>
            {
                getter(ref value);
                value.CopyTo(truth);
            };
        }
        var soft = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> values = default;
        return truth =>
        {
            soft(ref values);
            int i = 0;
            foreach (float v in values.DenseValues())
                truth[i++] = v > 0.5f;
        };
    }

    /// <summary>The probability that a random image with the tag scores above a random one without (Mann-Whitney, ties half).</summary>
    internal static double Auc(IReadOnlyList<float> scores, IReadOnlyList<bool> truth)
    {
        int n = scores.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        long positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]])
                end++;
            double rank = (start + end) / 2.0 + 1; // ties share their mean rank
            for (int k = start; k <= end; k++)
            {
                if (truth[order[k]])
                {
                    rankSum += rank;
                    positives++;
                }
            }
            start = end + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0)
            return double.NaN;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
