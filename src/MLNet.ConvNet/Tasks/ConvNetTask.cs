using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Layers;
using MLNet.ConvNet.Tasks;
using static TorchSharp.torch;

namespace MLNet.ConvNet;

/// <summary>
/// What a ConvNet learns, one type per ML.NET catalog: <see cref="MulticlassClassificationTask"/>,
/// <see cref="BinaryClassificationTask"/> and <see cref="RegressionTask"/>, and <see cref="MultiLabelClassificationTask"/>
/// (tags) beside the multiclass one. A task owns everything that differs between
/// them: the label column it reads and checks, how many outputs the network's last layer has, the loss and the running
/// metric, how the outputs become scores, the score columns with the annotations ML.NET's scorers of that catalog
/// write, their ONNX export, and what it learned from the data beyond the weights (a calibration, a label scale),
/// which the model file keeps. The rest of the library (architectures, augmentation, streaming, checkpoints, serving)
/// is the same for every task.
/// </summary>
/// <remarks>
/// The hierarchy is closed: the catalogs create the tasks, and a fitted model's <see cref="ConvNetTransformer.Task"/>
/// says which one it is. The architecture's last layer (the one with <see cref="Activation.Softmax"/>) is the head: it
/// puts out the raw outputs, and the task applies what follows them (a softmax, a sigmoid, a label scale).
/// </remarks>
public abstract class ConvNetTask
{
    private protected ConvNetTask()
    {
    }

    /// <summary>The task's name, as ML.NET's score columns name their kind: "MulticlassClassification", "BinaryClassification" or "Regression".</summary>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>What the label column must hold, for messages.</summary>
    internal abstract string ExpectedLabel { get; }

    /// <summary>
    /// Checks the label column's type in ML.NET's schema-mismatch wording and returns the classes it has (a key's count)
    /// or 0 when it has none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The label column has another type.</exception>
    internal abstract int CheckLabel(string column, DataViewType type);

    /// <summary>The same check on an estimator's schema shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The label column has another type.</exception>
    internal abstract void CheckLabel(SchemaShape.Column label);

    /// <summary>The network's outputs for a label of <paramref name="classes"/> classes (0 for a label without classes).</summary>
    internal abstract int Outputs(int classes);

    /// <summary>The floats one row's label is stored as: 1 (a class index, 0 or 1, a number), or one per tag.</summary>
    internal virtual int LabelWidth(int classes) => 1;

    /// <summary>This task with what it takes from the training label column itself (a tagger's tag names); itself when nothing.</summary>
    internal virtual ConvNetTask ForLabel(DataViewSchema.Column label, int classes) => this;

    /// <summary>The fewest outputs a saved network of this task has, to tell a damaged file.</summary>
    internal abstract int FewestOutputs { get; }

    /// <summary>
    /// A reader of the label of the row <paramref name="row"/> is on, as the float training stores: a 0-based class
    /// index, 0 or 1, or a number.
    /// </summary>
    internal abstract LabelReader ReadLabels(DataViewRow row, DataViewSchema.Column column, int classes);

    /// <summary>
    /// The batch's loss: the mean over its examples, or their mean weighted by <paramref name="weights"/>.
    /// <paramref name="targets"/> are a label-mixing callback's class probabilities, or null.
    /// </summary>
    internal abstract Tensor Loss(Tensor outputs, Tensor labels, Tensor? targets, Tensor? weights, double labelSmoothing);

    /// <summary>The loss summed over the batch (validation's).</summary>
    internal abstract Tensor LossSum(Tensor outputs, Tensor labels);

    /// <summary>How many of the batch's examples are right, as a scalar int64 tensor; null when the task has no accuracy.</summary>
    internal abstract Tensor? Correct(Tensor outputs, Tensor labels, Tensor? targets);

    /// <summary>Whether the task has an accuracy (a regression has not: its epochs' accuracies are NaN).</summary>
    internal abstract bool HasAccuracy { get; }

    /// <summary>Whether label-mixing (mixup, cutmix) applies: it mixes class probabilities.</summary>
    internal abstract bool MixesClasses { get; }

    /// <summary>Whether label smoothing applies: the multiclass targets spread over the classes, a yes-or-no (or a tag's) towards 0.5; not a number.</summary>
    internal virtual bool SmoothsLabels => true;

    /// <summary>The labels as the loss wants them: class indices as int64 for a classifier over classes, else the floats as they are.</summary>
    internal virtual Tensor LabelsForLoss(Tensor labels) => labels;

    /// <summary>The values scoring keeps per image, from the network's outputs: what the score columns are made from, and what test-time augmentation averages.</summary>
    internal abstract Tensor Scores(Tensor outputs);

    /// <summary>What output <paramref name="index"/> of one image's network outputs means, as a saliency map reports it: the class's (or tag's) probability, a binary model's calibrated probability, a regression's number.</summary>
    internal virtual float ProbeScore(Tensor outputs, int index) => Scores(outputs)[0, index].item<float>();

    /// <summary>The values per image <see cref="Scores"/> gives for a network of <paramref name="outputs"/> outputs.</summary>
    internal virtual int ScoreWidth(int outputs) => outputs;

    /// <summary>This task with what it learns from the training labels before training (a regression's label scale); itself when there is nothing.</summary>
    internal virtual ConvNetTask FitLabels(LabelMoments moments) => this;

    /// <summary>This task with what it learns from the trained network's scores on held-out rows (a binary calibration); itself when there is nothing.</summary>
    /// <param name="scores">Computes the network's outputs on the held-out rows, row after row; called only by a task that fits them.</param>
    /// <param name="labels">The held-out rows' labels, <see cref="LabelWidth"/> per row.</param>
    internal virtual ConvNetTask FitScores(Func<float[]> scores, float[] labels) => this;

    /// <summary>A line for the training log about what <see cref="FitLabels"/> or <see cref="FitScores"/> learned; null when nothing.</summary>
    internal virtual string? Fitted => null;

    /// <summary>The score columns this task's scorer adds, as the estimator promises them.</summary>
    internal abstract SchemaShape AddColumns(SchemaShape input, SchemaShape.Column label, ColumnNames columns);

    /// <summary>The score columns added to <paramref name="input"/>, in ML.NET's order for the catalog.</summary>
    internal abstract DataViewSchema.DetachedColumn[] Columns(DataViewSchema input, DataViewSchema.DetachedColumn label, ColumnNames columns, int outputs);

    /// <summary>The getter of output column <paramref name="index"/> (of <see cref="Columns"/>), over the current row's scores.</summary>
    internal abstract Delegate Getter(int index, RowScores scores);

    /// <summary>The ONNX nodes after the network's outputs, one output per score column, in the order of <see cref="Columns"/>.</summary>
    internal abstract IReadOnlyList<OnnxOutput> ExportOnnx(IOnnxGraph graph, string outputs, int outputCount, ColumnNames columns);

    /// <summary>The label's type when it is not a key (a key and its values come from the model file); null for a key.</summary>
    internal virtual DataViewType? PlainLabelType => null;

    /// <summary>What the task learned from data, for the model file (after its name; see ModelFile/ModelFormat.cs).</summary>
    internal abstract void Write(BinaryWriter writer);

    /// <summary>Whether the task fits the same network outputs as <paramref name="other"/> (a warm start's check).</summary>
    internal bool SameKind(ConvNetTask other) => other.Name == Name;

    /// <summary>The task a model file names, with what it learned.</summary>
    /// <exception cref="InvalidDataException">The name is unknown or the values impossible.</exception>
    internal static ConvNetTask Read(string name, BinaryReader reader) => name switch
    {
        MulticlassClassificationTask.TaskName => MulticlassClassificationTask.Instance,
        BinaryClassificationTask.TaskName => BinaryClassificationTask.Read(reader),
        RegressionTask.TaskName => RegressionTask.Read(reader),
        MultiLabelClassificationTask.TaskName => MultiLabelClassificationTask.Read(reader),
        _ => throw new InvalidDataException($"The model's task is '{name}', which this MLNet.ConvNet does not know ({MulticlassClassificationTask.TaskName}, {BinaryClassificationTask.TaskName}, {RegressionTask.TaskName} or {MultiLabelClassificationTask.TaskName}); the file is corrupt or from a newer version."),
    };

    /// <summary>The current row's scores, <see cref="ScoreWidth"/> values.</summary>
    internal delegate ReadOnlySpan<float> RowScores();

    /// <summary>
    /// Reads the current row's label into <paramref name="label"/> (<see cref="LabelWidth"/> floats); false when it is missing (the row is skipped) or cannot be trained on, which
    /// <paramref name="problem"/> then says (as <c>TrainingData.WeightProblem</c> says of a weight); null otherwise.
    /// </summary>
    internal delegate bool LabelReader(long row, Span<float> label, out string? problem);
}
