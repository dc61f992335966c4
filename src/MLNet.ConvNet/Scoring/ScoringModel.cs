using Microsoft.ML;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Scoring;

/// <summary>
/// What the three ways of scoring (the batched Transform, PredictionEngine's row by row, the ONNX export) need of a
/// fitted model and no more: the network behind its batch scorer, the columns it reads and writes, the training
/// label (whose key values name the classes), and what to tell a user whose features have another shape.
/// </summary>
/// <param name="Scorer">Runs the network on batches.</param>
/// <param name="Columns">The features column read, the Score and PredictedLabel columns written.</param>
/// <param name="Label">The training label column, detached, with its key values.</param>
/// <param name="ShapeAdvice">The sentence a schema mismatch of the features column ends with.</param>
internal sealed record ScoringModel(BatchScorer Scorer, ColumnNames Columns, DataViewSchema.DetachedColumn Label, string ShapeAdvice)
{
    public ConvNetModule Network => Scorer.Network;

    public ConvNetTask Task => Scorer.Task;

    /// <summary>The network's outputs per image.</summary>
    public int Outputs => Scorer.Outputs;

    /// <summary>The score columns this model adds to <paramref name="input"/>, in the task's order.</summary>
    public DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema input) => Task.Columns(input, Label, Columns, Outputs);
}
