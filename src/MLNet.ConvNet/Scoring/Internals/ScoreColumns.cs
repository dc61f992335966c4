using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Scoring.Internals;

/// <summary>
/// The PredictedLabel and Score columns a multiclass trainer adds, with the annotations ML.NET's scorers give them:
/// as a schema shape for the estimator, and as columns for the transformer. The annotation helpers are internal to
/// ML.NET, which is why this class lives here.
/// </summary>
internal static class ScoreColumns
{
    /// <summary>
    /// The output columns a multiclass trainer adds to its input's schema shape: PredictedLabel (a key
    /// with the label's key values) and Score (a vector with the score-column annotations).
    /// </summary>
    public static SchemaShape Add(SchemaShape input, SchemaShape.Column label, string scoreColumn, string predictedLabelColumn)
    {
        var columns = input.ToDictionary(c => c.Name);
        var keyValues = label.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var kv)
            ? new[] { new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, kv.ItemType, false) }
            : Array.Empty<SchemaShape.Column>();
        var predictedAnnotations = new SchemaShape(keyValues.Select(c => new SchemaShape.Column(AnnotationUtils.Kinds.KeyValues, c.Kind, c.ItemType, false))
            .Concat(AnnotationUtils.GetTrainerOutputAnnotation()));
        columns[predictedLabelColumn] = new SchemaShape.Column(predictedLabelColumn, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, predictedAnnotations);
        columns[scoreColumn] = new SchemaShape.Column(scoreColumn, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(keyValues.FirstOrDefault())));
        return new SchemaShape(columns.Values);
    }

    /// <summary>The PredictedLabel and Score columns the transformer adds to <paramref name="input"/>, in that order.</summary>
    public static DataViewSchema.DetachedColumn[] Detached(DataViewSchema input, ScoringModel model)
    {
        var label = model.Label;
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        int classes = model.Classes;

        var predictedAnnotations = new DataViewSchema.Annotations.Builder();
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        if (keyValues is { } kv)
        {
            predictedAnnotations.Add(label.Annotations, name => name == AnnotationUtils.Kinds.KeyValues);
            if (kv.Type is VectorDataViewType { ItemType: TextDataViewType })
            {
                ValueGetter<VBuffer<ReadOnlyMemory<char>>> names = (ref VBuffer<ReadOnlyMemory<char>> value) => label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref value);
                scoreAnnotations.Add(AnnotationUtils.Kinds.SlotNames, kv.Type, names);
            }
            var renamed = RenameAnnotation(label.Annotations, AnnotationUtils.Kinds.KeyValues, AnnotationUtils.Kinds.TrainingLabelValues);
            scoreAnnotations.Add(renamed, _ => true);
        }
        uint setId = checked(input.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);
        scoreAnnotations.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint value) => value = setId);
        scoreAnnotations.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
        scoreAnnotations.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreValueKind.Score.AsMemory());

        return
        [
            new DataViewSchema.DetachedColumn(model.Columns.PredictedLabel, new KeyDataViewType(typeof(uint), classes), predictedAnnotations.ToAnnotations()),
            new DataViewSchema.DetachedColumn(model.Columns.Score, new VectorDataViewType(NumberDataViewType.Single, classes), scoreAnnotations.ToAnnotations()),
        ];
    }

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
