using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Layers;
using MLNet.ConvNet.Tasks;
using MLNet.ConvNet.Tasks.Internals;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet;

/// <summary>
/// Any number of tags per image, from a label that is a known-size vector of Boolean (or of Single in [0, 1], soft
/// tags), one slot per tag (<c>mlContext.MulticlassClassification.Trainers.ConvNetMultiLabel</c>): one output per tag,
/// the binary cross-entropy of each output's sigmoid, averaged over the tags; a Score vector of each tag's probability
/// and a PredictedLabels vector of Boolean, true where the probability is above the tag's threshold. Both carry the
/// tags' names as slot names. ML.NET has no multi-label evaluator: <c>mlContext.MulticlassClassification.EvaluateMultiLabel</c>
/// (<see cref="MultiLabelMetrics"/>) gives per-tag AUC and F1, micro and macro F1, Hamming loss and subset accuracy.
/// </summary>
/// <remarks>
/// The tags' names are the label column's SlotNames when it has them (as ML.NET's vector columns carry them), else
/// "0", "1", .... The thresholds are <see cref="ConvNetTrainer.Options.TagThreshold"/> for every tag (0.5 by default),
/// or, with <see cref="ConvNetTrainer.Options.TuneTagThresholds"/> and validation data, each tag's threshold that
/// gives the best F1 on the validation rows. The epochs' accuracy is the subset accuracy: the share of images whose
/// every tag is right at probability 0.5.
/// </remarks>
public sealed class MultiLabelClassificationTask : ConvNetTask
{
    internal const string TaskName = "MultiLabelClassification";

    internal const float DefaultThreshold = 0.5f;

    private readonly string[] _tags;
    private readonly float[] _thresholds;

    internal MultiLabelClassificationTask(float threshold, bool tuneThresholds)
        : this([], [], threshold, tuneThresholds, soft: false, tuned: false)
    {
    }

    private MultiLabelClassificationTask(string[] tags, float[] thresholds, float threshold, bool tuneThresholds, bool soft, bool tuned)
    {
        _tags = tags;
        _thresholds = thresholds;
        Threshold = threshold;
        TuneThresholds = tuneThresholds;
        SoftLabels = soft;
        ThresholdsTuned = tuned;
    }

    /// <inheritdoc/>
    public override string Name => TaskName;

    /// <summary>The tags, in the order of the Score and PredictedLabels slots; empty before training.</summary>
    public IReadOnlyList<string> TagNames => _tags;

    /// <summary>Each tag's threshold on its probability: PredictedLabels is true above it.</summary>
    public IReadOnlyList<float> Thresholds => _thresholds;

    /// <summary>The threshold every tag starts with (<see cref="ConvNetTrainer.Options.TagThreshold"/>).</summary>
    public float Threshold { get; }

    /// <summary>Whether each tag's threshold is tuned for F1 on the validation rows after training.</summary>
    public bool TuneThresholds { get; }

    /// <summary>Whether <see cref="Thresholds"/> were tuned on validation rows (rather than all <see cref="Threshold"/>).</summary>
    public bool ThresholdsTuned { get; }

    /// <summary>Whether the label was a vector of Single (soft tags in [0, 1]) rather than of Boolean.</summary>
    internal bool SoftLabels { get; }

    internal override string ExpectedLabel => "a known-size vector of Boolean (one slot per tag)";

    private const string Expected = "a known-size vector of Boolean, one slot per tag (or of Single in [0, 1])";

    internal override int CheckLabel(string column, DataViewType type)
    {
        if (type is not VectorDataViewType { IsKnownSize: true, Size: > 0 } vector || (vector.ItemType != BooleanDataViewType.Instance && vector.ItemType != NumberDataViewType.Single))
            throw SchemaChecks.Mismatch("label", column, Expected, type.ToString(),
                type is KeyDataViewType or BooleanDataViewType ? "A label of one class or one yes/no per image belongs to mlContext.MulticlassClassification.Trainers.ConvNet or mlContext.BinaryClassification.Trainers.ConvNet" : null);
        return vector.Size;
    }

    internal override void CheckLabel(SchemaShape.Column label)
    {
        if (label.Kind != SchemaShape.Column.VectorKind.Vector || (label.ItemType != BooleanDataViewType.Instance && label.ItemType != NumberDataViewType.Single) || label.IsKey)
            throw SchemaChecks.Mismatch("label", label.Name, Expected, $"{label.Kind} of {label.ItemType}");
    }

    internal override DataViewType? PlainLabelType
        => new VectorDataViewType(SoftLabels ? NumberDataViewType.Single : BooleanDataViewType.Instance, _tags.Length);

    internal override int Outputs(int classes) => classes;

    internal override int FewestOutputs => 1;

    internal override int LabelWidth(int classes) => classes;

    internal override ConvNetTask ForLabel(DataViewSchema.Column label, int classes)
    {
        var names = ScoreColumns.SlotNames(label, classes);
        bool soft = label.Type is VectorDataViewType { ItemType: NumberDataViewType };
        return new MultiLabelClassificationTask(names, Enumerable.Repeat(Threshold, classes).ToArray(), Threshold, TuneThresholds, soft, tuned: false);
    }

    internal override LabelReader ReadLabels(DataViewRow row, DataViewSchema.Column column, int classes)
    {
        if (column.Type is VectorDataViewType { ItemType: BooleanDataViewType })
        {
            var tags = row.GetGetter<VBuffer<bool>>(column);
            VBuffer<bool> value = default;
            return (long position, Span<float> label, out string? problem) =>
            {
                tags(ref value);
                label.Clear();
                foreach (var (slot, on) in value.Items())
                    label[slot] = on ? 1 : 0;
                problem = null;
                return true;
            };
        }
        var soft = row.GetGetter<VBuffer<float>>(column);
        VBuffer<float> values = default;
        return (long position, Span<float> label, out string? problem) =>
        {
            soft(ref values);
            values.CopyTo(label);
            problem = null;
            foreach (float v in label)
            {
                if (!(v is >= 0 and <= 1))
                {
                    problem = $"Row {position} of the label column '{column.Name}' has a tag of {v}; a tagger's Single labels must be in [0, 1] (1 for a tag the image has).";
                    return false;
                }
            }
            return true;
        };
    }

    // Each image's loss is its tags' mean binary cross-entropy; the batch's, the mean over images (weighted by the example weights).
    private static Tensor Each(Tensor outputs, Tensor labels)
        => nn.functional.binary_cross_entropy_with_logits(outputs, labels.view(outputs.shape), reduction: nn.Reduction.None).mean([1]);

    // Label smoothing as the binary task's (Keras'), tag by tag.
    internal override Tensor Loss(Tensor outputs, Tensor labels, Tensor? targets, Tensor? weights, double labelSmoothing)
    {
        labels = BinaryClassificationTask.Smoothed(labels, labelSmoothing);
        return weights is null ? Each(outputs, labels).mean() : (Each(outputs, labels) * weights).sum() / weights.sum();
    }

    internal override Tensor LossSum(Tensor outputs, Tensor labels) => Each(outputs, labels).sum();

    // Subset accuracy: every tag right at probability 0.5 (output above 0).
    internal override Tensor? Correct(Tensor outputs, Tensor labels, Tensor? targets)
    {
        using Scalar zero = 0.ToScalar(), half = 0.5.ToScalar();
        return outputs.gt(zero).eq(labels.view(outputs.shape).gt(half)).all(1).sum();
    }

    internal override bool HasAccuracy => true;

    internal override bool MixesClasses => false;

    internal override Tensor Scores(Tensor outputs) => nn.functional.sigmoid(outputs);

    internal override ConvNetTask FitScores(Func<float[]> scores, float[] labels)
    {
        if (!TuneThresholds)
            return this;
        var probabilities = scores();
        for (int i = 0; i < probabilities.Length; i++)
            probabilities[i] = 1 / (1 + MathF.Exp(-probabilities[i]));
        var thresholds = TagThresholds.BestF1(probabilities, labels, _tags.Length, Threshold);
        return new MultiLabelClassificationTask(_tags, thresholds, Threshold, TuneThresholds, SoftLabels, tuned: true);
    }

    internal override string? Fitted => ThresholdsTuned
        ? $"Tuned each tag's threshold for F1 on the validation rows: {string.Join(", ", _tags.Zip(_thresholds, (t, v) => string.Create(CultureInfo.InvariantCulture, $"{t} {v:F3}")))}."
        : TuneThresholds ? "TuneTagThresholds needs validation data (ValidationSet or ValidationFraction); every tag's threshold stays " + Threshold.ToString(CultureInfo.InvariantCulture) + "." : null;

    internal override SchemaShape AddColumns(SchemaShape input, SchemaShape.Column label, ColumnNames columns) => ScoreColumns.AddMultiLabel(input, columns);

    internal override DataViewSchema.DetachedColumn[] Columns(DataViewSchema input, DataViewSchema.DetachedColumn label, ColumnNames columns, int outputs)
        => ScoreColumns.DetachedMultiLabel(columns, _tags);

    internal override Delegate Getter(int index, RowScores scores) => index == 0
        ? (ValueGetter<VBuffer<bool>>)((ref VBuffer<bool> value) =>
        {
            var row = scores();
            var editor = VBufferEditor.Create(ref value, row.Length);
            for (int i = 0; i < row.Length; i++)
                editor.Values[i] = row[i] > _thresholds[i];
            value = editor.Commit();
        })
        : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var row = scores();
            var editor = VBufferEditor.Create(ref value, row.Length);
            row.CopyTo(editor.Values);
            value = editor.Commit();
        });

    internal override IReadOnlyList<OnnxOutput> ExportOnnx(IOnnxGraph graph, string outputs, int outputCount, ColumnNames columns)
    {
        string score = graph.AddNode("Sigmoid", [outputs], "score");
        string predicted = graph.AddNode("Greater", [score, graph.AddInitializer(_thresholds.ToArray(), [1, _thresholds.Length], "tag_thresholds")], "predicted");
        return
        [
            new OnnxOutput(predicted, columns.PredictedLabel, new VectorDataViewType(BooleanDataViewType.Instance, outputCount)),
            new OnnxOutput(score, columns.Score, new VectorDataViewType(NumberDataViewType.Single, outputCount)),
        ];
    }

    // Layout: int32 tags, then per tag its name (string) and threshold (float32); float32 the starting threshold;
    // bool tune, bool tuned, bool soft labels.
    internal override void Write(BinaryWriter writer)
    {
        writer.Write(_tags.Length);
        for (int i = 0; i < _tags.Length; i++)
        {
            writer.Write(_tags[i]);
            writer.Write(_thresholds[i]);
        }
        writer.Write(Threshold);
        writer.Write(TuneThresholds);
        writer.Write(ThresholdsTuned);
        writer.Write(SoftLabels);
    }

    internal static MultiLabelClassificationTask Read(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count is < 1 or > 1 << 20)
            throw new InvalidDataException($"The model's tagger records {count} tags; expected 1 to {1 << 20}. The file is corrupt.");
        var tags = new string[count];
        var thresholds = new float[count];
        for (int i = 0; i < count; i++)
        {
            tags[i] = reader.ReadString();
            thresholds[i] = reader.ReadSingle();
            if (!(thresholds[i] is >= 0 and <= 1))
                throw new InvalidDataException($"The model's tag '{tags[i]}' has threshold {thresholds[i]}; expected one in [0, 1]. The file is corrupt.");
        }
        float threshold = reader.ReadSingle();
        bool tune = reader.ReadBoolean(), tuned = reader.ReadBoolean(), soft = reader.ReadBoolean();
        if (!(threshold is >= 0 and <= 1))
            throw new InvalidDataException($"The model's tag threshold is {threshold}; expected one in [0, 1]. The file is corrupt.");
        return new MultiLabelClassificationTask(tags, thresholds, threshold, tune, soft, tuned);
    }
}
