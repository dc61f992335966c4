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
/// One class per image, from a key-typed label (<c>mlContext.MulticlassClassification.Trainers.ConvNet</c>): one output
/// per class, the softmax cross-entropy (label-smoothed and mixed when asked), accuracy, and a Score vector of class
/// probabilities with a PredictedLabel key, as ML.NET's multiclass trainers give them.
/// </summary>
public sealed class MulticlassClassificationTask : ConvNetTask
{
    internal const string TaskName = "MulticlassClassification";

    internal static MulticlassClassificationTask Instance { get; } = new();

    private MulticlassClassificationTask()
    {
    }

    /// <inheritdoc/>
    public override string Name => TaskName;

    internal override string ExpectedLabel => "key type (use mlContext.Transforms.Conversion.MapValueToKey on the label first)";

    internal override int CheckLabel(string column, DataViewType type) => SchemaChecks.CheckLabelType(column, type);

    internal override void CheckLabel(SchemaShape.Column label)
    {
        if (!label.IsKey || label.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw SchemaChecks.Mismatch("label", label.Name, "key type (use MapValueToKey on the label first)", $"{label.Kind} of {label.ItemType}");
    }

    internal override int Outputs(int classes) => classes;

    internal override int FewestOutputs => 2;

    internal override LabelReader ReadLabels(DataViewRow row, DataViewSchema.Column column, int classes)
    {
        var getter = row.GetGetter<uint>(column);
        uint key = 0;
        return (long position, Span<float> label, out string? problem) =>
        {
            getter(ref key);
            label[0] = key - 1f; // exact: keys are below 2^24 in any data that fits memory, and checked below
            problem = key > classes ? $"Row {position} of column '{column.Name}' has key {key}, but the column's key type has {classes} values." : null;
            return key != 0 && problem is null; // key 0 is missing: skipped
        };
    }

    internal override Tensor LabelsForLoss(Tensor labels) => labels.to(ScalarType.Int64);

    internal override Tensor Loss(Tensor outputs, Tensor labels, Tensor? targets, Tensor? weights, double labelSmoothing)
    {
        if (targets is null)
        {
            return weights is null
                ? nn.functional.cross_entropy(outputs, labels, label_smoothing: labelSmoothing)
                : (nn.functional.cross_entropy(outputs, labels, reduction: nn.Reduction.None, label_smoothing: labelSmoothing) * weights).sum() / weights.sum();
        }
        using Scalar keep = (1 - labelSmoothing).ToScalar(), spread = (labelSmoothing / outputs.shape[1]).ToScalar(), one = 1.ToScalar();
        var taught = labelSmoothing == 0 ? targets : targets.mul(keep).add_(spread, one);
        var each = taught.mul(nn.functional.log_softmax(outputs, 1)).sum(1).neg();
        return weights is null ? each.mean() : (each * weights).sum() / weights.sum();
    }

    internal override Tensor LossSum(Tensor outputs, Tensor labels) => nn.functional.cross_entropy(outputs, labels, reduction: nn.Reduction.Sum);

    // With mixed targets, an image counts as right when the network's top class is its target's.
    internal override Tensor? Correct(Tensor outputs, Tensor labels, Tensor? targets) => outputs.argmax(1).eq(targets is null ? labels : targets.argmax(1)).sum();

    internal override bool HasAccuracy => true;

    internal override bool MixesClasses => true;

    internal override Tensor Scores(Tensor outputs) => nn.functional.softmax(outputs, 1);

    internal override SchemaShape AddColumns(SchemaShape input, SchemaShape.Column label, ColumnNames columns) => ScoreColumns.AddMulticlass(input, label, columns.Score, columns.PredictedLabel);

    internal override DataViewSchema.DetachedColumn[] Columns(DataViewSchema input, DataViewSchema.DetachedColumn label, ColumnNames columns, int outputs)
        => ScoreColumns.DetachedMulticlass(input, label, columns, outputs);

    internal override Delegate Getter(int index, RowScores scores) => index == 0
        ? (ValueGetter<uint>)((ref uint value) => value = ArgMaxKey(scores()))
        : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var row = scores();
            var editor = VBufferEditor.Create(ref value, row.Length);
            row.CopyTo(editor.Values);
            value = editor.Commit();
        });

    /// <summary>The 1-based key of the most probable class (the first one on ties).</summary>
    internal static uint ArgMaxKey(ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[best])
                best = i;
        }
        return (uint)best + 1;
    }

    internal override IReadOnlyList<OnnxOutput> ExportOnnx(IOnnxGraph graph, string outputs, int outputCount, ColumnNames columns)
    {
        string score = graph.AddNode("Softmax", [outputs], "softmax", new Dictionary<string, object> { ["axis"] = 1L });
        // PredictedLabel: the 1-based key of the most probable class, the first on ties (ArgMax's default), as a UInt32 key.
        string index = graph.AddNode("ArgMax", [score], "argmax", new Dictionary<string, object> { ["axis"] = 1L, ["keepdims"] = 1L });
        string key = graph.AddNode("Add", [index, graph.AddInitializer(new long[] { 1 }, [1], "one")], "key");
        string predicted = graph.AddNode("Cast", [key], "predicted", new Dictionary<string, object> { ["to"] = 12L }); // TensorProto.UINT32
        return
        [
            new OnnxOutput(predicted, columns.PredictedLabel, new KeyDataViewType(typeof(uint), outputCount)),
            new OnnxOutput(score, columns.Score, new VectorDataViewType(NumberDataViewType.Single, outputCount)),
        ];
    }

    internal override void Write(BinaryWriter writer)
    {
        // Nothing learned beyond the weights.
    }
}
