using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Scoring.Internals;

/// <summary>
/// The PredictedLabel and Score columns a multiclass trainer adds, with the annotations ML.NET's multiclass scorers give
/// them, described once: as a schema shape for the estimator (what <c>GetOutputSchema</c> promises) and as columns for
/// the transformer (what <c>Transform</c> delivers). The annotation helpers are internal to ML.NET, which is why this
/// class lives here.
/// </summary>
/// <remarks>
/// As ML.NET's scorers: Score has SlotNames (when the label's key values are text) and TrainingLabelValues (when it has
/// key values), then ScoreColumnSetId, ScoreColumnKind = MulticlassClassification and ScoreValueKind = Score;
/// PredictedLabel has KeyValues (when the label has them), the same ScoreColumnSetId, ScoreColumnKind and
/// ScoreValueKind = PredictedLabel.
/// </remarks>
internal static class ScoreColumns
{
    /// <summary>The input's schema shape with PredictedLabel and Score added, as the transformer will deliver them.</summary>
    /// <param name="input">The estimator's input schema shape.</param>
    /// <param name="label">The label column in <paramref name="input"/>.</param>
    /// <param name="scoreColumn">The name of the Score column.</param>
    /// <param name="predictedLabelColumn">The name of the PredictedLabel column.</param>
    public static SchemaShape Add(SchemaShape input, SchemaShape.Column label, string scoreColumn, string predictedLabelColumn)
    {
        var columns = input.ToDictionary(c => c.Name);
        // ML.NET's helper reads the label column's KeyValues itself: SlotNames when they are text, TrainingLabelValues always.
        var scoreAnnotations = AnnotationUtils.AnnotationsForMulticlassScoreColumn(label);
        var predictedAnnotations = label.Annotations.Where(a => a.Name == AnnotationUtils.Kinds.KeyValues)
            .Concat(AnnotationUtils.GetTrainerOutputAnnotation());
        columns[predictedLabelColumn] = new SchemaShape.Column(predictedLabelColumn, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, new SchemaShape(predictedAnnotations));
        columns[scoreColumn] = new SchemaShape.Column(scoreColumn, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape(scoreAnnotations));
        return new SchemaShape(columns.Values);
    }

    /// <summary>The PredictedLabel and Score columns the transformer adds to <paramref name="input"/>, in that order.</summary>
    public static DataViewSchema.DetachedColumn[] Detached(DataViewSchema input, ScoringModel model)
    {
        var label = model.Label;
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        int classes = model.Classes;
        // One score set per scorer: the next free id after every score column already in the input.
        uint setId = checked(input.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);

        // In the order ML.NET's multiclass scorer writes them.
        var predictedAnnotations = new DataViewSchema.Annotations.Builder();
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        AddKind(scoreAnnotations);
        AddSetId(scoreAnnotations, setId);
        AddValueKind(scoreAnnotations, AnnotationUtils.Const.ScoreValueKind.Score);
        AddKind(predictedAnnotations);
        AddValueKind(predictedAnnotations, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);
        if (keyValues is { } kv)
        {
            var renamed = RenameAnnotation(label.Annotations, AnnotationUtils.Kinds.KeyValues, AnnotationUtils.Kinds.TrainingLabelValues);
            scoreAnnotations.Add(renamed, _ => true);
            if (kv.Type is VectorDataViewType { ItemType: TextDataViewType })
            {
                ValueGetter<VBuffer<ReadOnlyMemory<char>>> names = (ref VBuffer<ReadOnlyMemory<char>> value) => label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref value);
                scoreAnnotations.Add(AnnotationUtils.Kinds.SlotNames, kv.Type, names);
            }
            predictedAnnotations.Add(label.Annotations, name => name == AnnotationUtils.Kinds.KeyValues);
        }
        AddSetId(predictedAnnotations, setId);

        return
        [
            new DataViewSchema.DetachedColumn(model.Columns.PredictedLabel, new KeyDataViewType(typeof(uint), classes), predictedAnnotations.ToAnnotations()),
            new DataViewSchema.DetachedColumn(model.Columns.Score, new VectorDataViewType(NumberDataViewType.Single, classes), scoreAnnotations.ToAnnotations()),
        ];
    }

    // The three annotations that tie a scorer's columns together and say what each holds.
    private static void AddKind(DataViewSchema.Annotations.Builder builder)
        => builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());

    private static void AddSetId(DataViewSchema.Annotations.Builder builder, uint setId)
        => builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint value) => value = setId);

    private static void AddValueKind(DataViewSchema.Annotations.Builder builder, string valueKind)
        => builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());

    private static DataViewSchema.Annotations RenameAnnotation(DataViewSchema.Annotations source, string from, string to)
    {
        var column = source.Schema[from];
        var builder = new DataViewSchema.Annotations.Builder();
        var method = typeof(ScoreColumns).GetMethod(nameof(CopyAnnotation), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType);
        method.Invoke(null, [builder, source, from, to, column.Type]);
        return builder.ToAnnotations();
    }

    private static void CopyAnnotation<T>(DataViewSchema.Annotations.Builder builder, DataViewSchema.Annotations source, string from, string to, DataViewType type)
    {
        ValueGetter<T> getter = (ref T value) => source.GetValue(from, ref value);
        builder.Add(to, type, getter);
    }
}
