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
/// Yes or no per image, from a Boolean label (<c>mlContext.BinaryClassification.Trainers.ConvNet</c>): one output, the
/// binary cross-entropy of its sigmoid, accuracy, and the columns of ML.NET's calibrated binary trainers: Score (the
/// raw output, a log-odds), Probability (calibrated) and PredictedLabel (Score above 0), so that
/// <c>mlContext.BinaryClassification.Evaluate</c> gives AUC, F1 and log-loss.
/// </summary>
/// <remarks>
/// The calibration is Platt's: Probability = 1 / (1 + exp(-(<see cref="CalibrationSlope"/> x Score +
/// <see cref="CalibrationOffset"/>))). With validation data (ValidationSet or ValidationFraction), slope and offset are
/// fitted to the validation rows' scores after training, by Newton's method on the log-loss with Platt's smoothed
/// targets; without it they are 1 and 0, the sigmoid the network was trained through. PredictedLabel is Score above 0,
/// as ML.NET's binary scorer thresholds Score, whatever the calibration.
/// </remarks>
public sealed class BinaryClassificationTask : ConvNetTask
{
    internal const string TaskName = "BinaryClassification";

    internal static BinaryClassificationTask Uncalibrated { get; } = new(1, 0, false);

    private BinaryClassificationTask(double slope, double offset, bool fitted)
    {
        CalibrationSlope = slope;
        CalibrationOffset = offset;
        IsCalibrated = fitted;
    }

    /// <inheritdoc/>
    public override string Name => TaskName;

    /// <summary>The Platt slope applied to Score before the sigmoid: 1 without calibration.</summary>
    public double CalibrationSlope { get; }

    /// <summary>The Platt offset added before the sigmoid: 0 without calibration.</summary>
    public double CalibrationOffset { get; }

    /// <summary>Whether slope and offset were fitted to held-out rows (the validation data), rather than left at 1 and 0.</summary>
    public bool IsCalibrated { get; }

    internal override string ExpectedLabel => "Boolean";

    internal override int CheckLabel(string column, DataViewType type)
    {
        if (type != BooleanDataViewType.Instance)
            throw SchemaChecks.Mismatch("label", column, "Boolean (a binary classifier's label is true or false)", type.ToString(),
                type is KeyDataViewType ? "Use mlContext.MulticlassClassification.Trainers.ConvNet for a key-typed label" : null);
        return 0;
    }

    internal override void CheckLabel(SchemaShape.Column label)
    {
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != BooleanDataViewType.Instance)
            throw SchemaChecks.Mismatch("label", label.Name, "Boolean (a binary classifier's label is true or false)", $"{label.Kind} of {label.ItemType}");
    }

    internal override DataViewType? PlainLabelType => BooleanDataViewType.Instance;

    internal override int Outputs(int classes) => 1;

    internal override int FewestOutputs => 1;

    internal override LabelReader ReadLabels(DataViewRow row, DataViewSchema.Column column, int classes)
    {
        var getter = row.GetGetter<bool>(column);
        bool value = false;
        return (long position, Span<float> label, out string? problem) =>
        {
            getter(ref value);
            label[0] = value ? 1 : 0;
            problem = null;
            return true;
        };
    }

    internal override Tensor Loss(Tensor outputs, Tensor labels, Tensor? targets, Tensor? weights, double labelSmoothing)
    {
        var logits = outputs.reshape(-1);
        labels = Smoothed(labels, labelSmoothing);
        return weights is null
            ? nn.functional.binary_cross_entropy_with_logits(logits, labels)
            : (nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction: nn.Reduction.None) * weights).sum() / weights.sum();
    }

    /// <summary>Keras' label smoothing of a binary cross-entropy: the targets 0 and 1 become ε/2 and 1 - ε/2.</summary>
    internal static Tensor Smoothed(Tensor labels, double labelSmoothing)
    {
        if (labelSmoothing == 0)
            return labels;
        using Scalar keep = (1 - labelSmoothing).ToScalar(), half = (labelSmoothing / 2).ToScalar(), one = 1.ToScalar();
        return labels.mul(keep).add(half, one);
    }

    internal override Tensor LossSum(Tensor outputs, Tensor labels) => nn.functional.binary_cross_entropy_with_logits(outputs.reshape(-1), labels, reduction: nn.Reduction.Sum);

    internal override Tensor? Correct(Tensor outputs, Tensor labels, Tensor? targets)
    {
        using Scalar zero = 0.ToScalar(), half = 0.5.ToScalar();
        return outputs.reshape(-1).gt(zero).eq(labels.gt(half)).sum();
    }

    internal override bool HasAccuracy => true;

    internal override bool MixesClasses => false;

    internal override Tensor Scores(Tensor outputs) => outputs.reshape(-1, 1);

    internal override int ScoreWidth(int outputs) => 1;

    internal override float ProbeScore(Tensor outputs, int index) => Probability(outputs[0, 0].item<float>());

    internal override ConvNetTask FitScores(Func<float[]> scores, float[] labels)
    {
        var (slope, offset) = PlattCalibration.Fit(scores(), labels);
        return new BinaryClassificationTask(slope, offset, true);
    }

    internal override string? Fitted => IsCalibrated
        ? string.Create(CultureInfo.InvariantCulture, $"Calibrated the probability on the validation rows (Platt): Probability = sigmoid({CalibrationSlope:G4} x Score + {CalibrationOffset:G4}).")
        : "Probability = sigmoid(Score), uncalibrated: give validation data (ValidationSet or ValidationFraction) to calibrate it.";

    /// <summary>The calibrated probability of <paramref name="score"/>.</summary>
    public float Probability(float score) => (float)(1 / (1 + Math.Exp(-(CalibrationSlope * score + CalibrationOffset))));

    internal override SchemaShape AddColumns(SchemaShape input, SchemaShape.Column label, ColumnNames columns) => ScoreColumns.AddBinary(input, columns);

    internal override DataViewSchema.DetachedColumn[] Columns(DataViewSchema input, DataViewSchema.DetachedColumn label, ColumnNames columns, int outputs)
        => ScoreColumns.DetachedBinary(input, columns);

    internal override Delegate Getter(int index, RowScores scores) => index switch
    {
        0 => (ValueGetter<bool>)((ref bool value) => value = scores()[0] > 0),
        1 => (ValueGetter<float>)((ref float value) => value = scores()[0]),
        _ => (ValueGetter<float>)((ref float value) => value = Probability(scores()[0])),
    };

    internal override IReadOnlyList<OnnxOutput> ExportOnnx(IOnnxGraph graph, string outputs, int outputCount, ColumnNames columns)
    {
        string score = graph.AddNode("Identity", [outputs], "score");
        string scaled = graph.AddNode("Mul", [score, graph.AddInitializer([(float)CalibrationSlope], [1], "platt_slope")], "platt_scaled");
        string shifted = graph.AddNode("Add", [scaled, graph.AddInitializer([(float)CalibrationOffset], [1], "platt_offset")], "platt_shifted");
        string probability = graph.AddNode("Sigmoid", [shifted], "probability");
        string predicted = graph.AddNode("Greater", [score, graph.AddInitializer([0f], [1], "threshold")], "predicted");
        return
        [
            new OnnxOutput(predicted, columns.PredictedLabel, BooleanDataViewType.Instance),
            new OnnxOutput(score, columns.Score, NumberDataViewType.Single),
            new OnnxOutput(probability, ColumnNames.Probability, NumberDataViewType.Single),
        ];
    }

    // Layout: bool fitted, float64 slope, float64 offset.
    internal override void Write(BinaryWriter writer)
    {
        writer.Write(IsCalibrated);
        writer.Write(CalibrationSlope);
        writer.Write(CalibrationOffset);
    }

    internal static BinaryClassificationTask Read(BinaryReader reader)
    {
        bool fitted = reader.ReadBoolean();
        double slope = reader.ReadDouble(), offset = reader.ReadDouble();
        if (!double.IsFinite(slope) || !double.IsFinite(offset))
            throw new InvalidDataException($"The model's calibration is slope {slope}, offset {offset}; the file is corrupt.");
        return new BinaryClassificationTask(slope, offset, fitted);
    }
}
