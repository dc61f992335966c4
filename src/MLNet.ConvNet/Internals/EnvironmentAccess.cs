using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.ConvNet.Internals;

/// <summary>The few ML.NET environment and schema services that ML.NET keeps internal.</summary>
internal static class EnvironmentAccess
{
    /// <summary>The seed the user gave the MLContext, or null if it has none.</summary>
    public static int? SeedOf(IHostEnvironment env) => (env as IHostEnvironmentInternal)?.Seed;

    /// <summary>Throws <see cref="OperationCanceledException"/> after <c>MLContext.CancelExecution()</c>.</summary>
    public static void ThrowIfCancelled(IHost host) => host.CheckAlive();

    /// <summary>
    /// The output columns a multiclass trainer adds to its input's schema shape: PredictedLabel (a key
    /// with the label's key values) and Score (a vector with the score-column annotations).
    /// </summary>
    public static SchemaShape AddScoreColumns(SchemaShape input, SchemaShape.Column label, string scoreColumn, string predictedLabelColumn)
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
