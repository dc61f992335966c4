using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Model.Internals;

/// <summary>The score columns of a multiclass trainer's schema shape, with the annotations ML.NET keeps internal.</summary>
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
}
