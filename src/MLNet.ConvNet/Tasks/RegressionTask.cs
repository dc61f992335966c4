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
/// A number per image, from a Single label (<c>mlContext.Regression.Trainers.ConvNet</c>): one output, trained on the
/// label standardised by the training labels' mean and standard deviation (so that the defaults train whatever the
/// label's unit), with the squared or Huber loss, and a Score column in the label's own unit, as ML.NET's regressors
/// give it, so that <c>mlContext.Regression.Evaluate</c> works. A row whose label is NaN is skipped, as missing.
/// </summary>
/// <remarks>
/// The epochs' losses are in standardised units (a squared loss of 1 is as good as predicting the mean), and a
/// regression has no accuracy: <see cref="EpochMetrics.Accuracy"/> is NaN, and early stopping watches a loss.
/// </remarks>
public sealed class RegressionTask : ConvNetTask
{
    internal const string TaskName = "Regression";

    internal RegressionTask(RegressionLoss loss, double mean = 0, double scale = 1)
    {
        LossFunction = loss;
        LabelMean = mean;
        LabelScale = scale;
    }

    /// <inheritdoc/>
    public override string Name => TaskName;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({LossFunction} loss)";

    /// <summary>The loss minimised.</summary>
    public RegressionLoss LossFunction { get; }

    /// <summary>The training labels' mean, which the network's output is measured from.</summary>
    public double LabelMean { get; }

    /// <summary>The training labels' standard deviation (1 when they are all equal), the network output's unit.</summary>
    public double LabelScale { get; }

    internal override string ExpectedLabel => "Single";

    internal override int CheckLabel(string column, DataViewType type)
    {
        if (type != NumberDataViewType.Single)
            throw SchemaChecks.Mismatch("label", column, "Single (a regression's label is one number)", type.ToString(),
                type is NumberDataViewType ? "Convert it with mlContext.Transforms.Conversion.ConvertType(outputKind: DataKind.Single)" : null);
        return 0;
    }

    internal override void CheckLabel(SchemaShape.Column label)
    {
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != NumberDataViewType.Single || label.IsKey)
            throw SchemaChecks.Mismatch("label", label.Name, "Single (a regression's label is one number)", $"{label.Kind} of {label.ItemType}");
    }

    internal override DataViewType? PlainLabelType => NumberDataViewType.Single;

    internal override int Outputs(int classes) => 1;

    internal override int FewestOutputs => 1;

    internal override LabelReader ReadLabels(DataViewRow row, DataViewSchema.Column column, int classes)
    {
        var getter = row.GetGetter<float>(column);
        float value = 0;
        return (long position, Span<float> label, out string? problem) =>
        {
            getter(ref value);
            label[0] = value;
            problem = float.IsInfinity(value)
                ? $"Row {position} of the label column '{column.Name}' is {value}; a regression's labels must be finite numbers (NaN marks a missing one, which is skipped)."
                : null;
            return float.IsFinite(value); // NaN is missing: skipped
        };
    }

    private Tensor Standardised(Tensor labels)
    {
        using Scalar mean = LabelMean.ToScalar(), scale = (1 / LabelScale).ToScalar();
        return labels.sub(mean).mul(scale);
    }

    private Tensor Each(Tensor outputs, Tensor labels, nn.Reduction reduction) => LossFunction == RegressionLoss.Huber
        ? nn.functional.huber_loss(outputs.reshape(-1), Standardised(labels), 1.0, reduction)
        : nn.functional.mse_loss(outputs.reshape(-1), Standardised(labels), reduction);

    internal override Tensor Loss(Tensor outputs, Tensor labels, Tensor? targets, Tensor? weights, double labelSmoothing)
        => weights is null ? Each(outputs, labels, nn.Reduction.Mean) : (Each(outputs, labels, nn.Reduction.None) * weights).sum() / weights.sum();

    internal override Tensor LossSum(Tensor outputs, Tensor labels) => Each(outputs, labels, nn.Reduction.Sum);

    internal override Tensor? Correct(Tensor outputs, Tensor labels, Tensor? targets) => null;

    internal override bool HasAccuracy => false;

    internal override bool MixesClasses => false;

    internal override bool SmoothsLabels => false;

    internal override Tensor Scores(Tensor outputs)
    {
        using Scalar mean = LabelMean.ToScalar(), scale = LabelScale.ToScalar(), one = 1.ToScalar();
        return outputs.reshape(-1, 1).mul(scale).add(mean, one);
    }

    internal override int ScoreWidth(int outputs) => 1;

    internal override ConvNetTask FitLabels(LabelMoments moments)
    {
        double sd = Math.Sqrt(moments.Variance);
        return new RegressionTask(LossFunction, moments.Mean, sd > 0 && double.IsFinite(sd) ? sd : 1);
    }

    internal override string? Fitted => string.Create(CultureInfo.InvariantCulture,
        $"The network learns the label standardised: (label - {LabelMean:G6}) / {LabelScale:G6}, the training labels' mean and standard deviation; {LossFunction} loss; Score is in the label's unit.");

    internal override SchemaShape AddColumns(SchemaShape input, SchemaShape.Column label, ColumnNames columns) => ScoreColumns.AddRegression(input, columns);

    internal override DataViewSchema.DetachedColumn[] Columns(DataViewSchema input, DataViewSchema.DetachedColumn label, ColumnNames columns, int outputs)
        => ScoreColumns.DetachedRegression(input, columns);

    internal override Delegate Getter(int index, RowScores scores) => (ValueGetter<float>)((ref float value) => value = scores()[0]);

    internal override IReadOnlyList<OnnxOutput> ExportOnnx(IOnnxGraph graph, string outputs, int outputCount, ColumnNames columns)
    {
        string scaled = graph.AddNode("Mul", [outputs, graph.AddInitializer([(float)LabelScale], [1], "label_scale")], "label_scaled");
        string score = graph.AddNode("Add", [scaled, graph.AddInitializer([(float)LabelMean], [1], "label_mean")], "score");
        return [new OnnxOutput(score, columns.Score, NumberDataViewType.Single)];
    }

    // Layout: int32 loss (0 squared, 1 Huber), float64 label mean, float64 label scale.
    internal override void Write(BinaryWriter writer)
    {
        writer.Write((int)LossFunction);
        writer.Write(LabelMean);
        writer.Write(LabelScale);
    }

    internal static RegressionTask Read(BinaryReader reader)
    {
        var loss = (RegressionLoss)reader.ReadInt32();
        double mean = reader.ReadDouble(), scale = reader.ReadDouble();
        if (!Enum.IsDefined(loss) || !double.IsFinite(mean) || !(scale > 0) || !double.IsFinite(scale))
            throw new InvalidDataException($"The model's regression records loss {(int)loss}, label mean {mean} and scale {scale}; the file is corrupt.");
        return new RegressionTask(loss, mean, scale);
    }
}
