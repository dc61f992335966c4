namespace MLNet.ConvNet.Training;

/// <summary>
/// What every reader of training rows needs, together: the columns it reads, what they hold, and how to stop.
/// </summary>
/// <param name="Features">The features column: a known-size vector of Single.</param>
/// <param name="Label">The label column, of the task's type.</param>
/// <param name="Weight">The example weight column; null when every example weighs the same.</param>
/// <param name="FeatureSize">Values per image: channels x height x width.</param>
/// <param name="Classes">The label's key count; 0 for a label without classes.</param>
/// <param name="CheckCancelled">Throws <see cref="OperationCanceledException"/> once training is cancelled.</param>
/// <param name="Task">What the label means, and how it is read.</param>
internal sealed record TrainingColumns(string Features, string Label, string? Weight, int FeatureSize, int Classes, Action CheckCancelled, ConvNetTask Task)
{
    /// <summary>The same columns without the weight: validation is unweighted.</summary>
    public TrainingColumns Unweighted => this with { Weight = null };

    /// <summary>The floats one row's label is stored as (1, or one per tag).</summary>
    public int LabelWidth => Task.LabelWidth(Classes);
}
