using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Tasks.Internals;

/// <summary>
/// The score columns each task's trainer adds, with the annotations ML.NET's scorers of that catalog give them,
/// described once per task: as a schema shape for the estimator (what <c>GetOutputSchema</c> promises) and as columns
/// for the transformer (what <c>Transform</c> delivers). The annotation helpers are internal to ML.NET, which is why
/// this class lives here.
/// </summary>
/// <remarks>
/// As ML.NET's scorers. Multiclass: Score has SlotNames (when the label's key values are text) and TrainingLabelValues
/// (when it has key values), then ScoreColumnSetId, ScoreColumnKind = MulticlassClassification and ScoreValueKind =
/// Score; PredictedLabel has KeyValues (when the label has them), the same ScoreColumnSetId, ScoreColumnKind and
/// ScoreValueKind = PredictedLabel. Binary (as LbfgsLogisticRegression's): PredictedLabel (Boolean), Score and
/// Probability (Single; Probability also IsNormalized = true), each with ScoreColumnKind = BinaryClassification, its
/// ScoreValueKind and the set id. Regression (as Sdca's): Score (Single) with the set id, ScoreColumnKind = Regression
/// and ScoreValueKind = Score.
/// </remarks>
internal static class ScoreColumns
{
    /// <summary>The input's schema shape with PredictedLabel and Score added, as the transformer will deliver them.</summary>
    /// <param name="input">The estimator's input schema shape.</param>
    /// <param name="label">The label column in <paramref name="input"/>.</param>
    /// <param name="scoreColumn">The name of the Score column.</param>
    /// <param name="predictedLabelColumn">The name of the PredictedLabel column.</param>
    public static SchemaShape AddMulticlass(SchemaShape input, SchemaShape.Column label, string scoreColumn, string predictedLabelColumn)
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

    /// <summary>The binary trainer's PredictedLabel, Score and Probability, as the estimator promises them.</summary>
    public static SchemaShape AddBinary(SchemaShape input, ColumnNames columns)
    {
        var result = input.ToDictionary(c => c.Name);
        var output = AnnotationUtils.GetTrainerOutputAnnotation();
        result[columns.Score] = new SchemaShape.Column(columns.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, new SchemaShape(output));
        result[ColumnNames.Probability] = new SchemaShape.Column(ColumnNames.Probability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(true)));
        result[columns.PredictedLabel] = new SchemaShape.Column(columns.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false, new SchemaShape(output));
        return new SchemaShape(result.Values);
    }

    /// <summary>The regression trainer's Score, as the estimator promises it.</summary>
    public static SchemaShape AddRegression(SchemaShape input, ColumnNames columns)
    {
        var result = input.ToDictionary(c => c.Name);
        result[columns.Score] = new SchemaShape.Column(columns.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
        return new SchemaShape(result.Values);
    }

    /// <summary>The names of <paramref name="column"/>'s <paramref name="slots"/> slots: its SlotNames where it has them, else each slot's index.</summary>
    public static string[] SlotNames(DataViewSchema.Column column, int slots)
    {
        var names = Enumerable.Range(0, slots).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (!column.HasSlotNames(slots))
            return names;
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        column.GetSlotNames(ref slotNames);
        int slot = 0;
        foreach (var name in slotNames.DenseValues())
        {
            if (!name.IsEmpty)
                names[slot] = name.ToString();
            slot++;
        }
        return names;
    }

    /// <summary>The tagger's PredictedLabels (vector of Boolean) and Score (vector of Single), as the estimator promises them.</summary>
    public static SchemaShape AddMultiLabel(SchemaShape input, ColumnNames columns)
    {
        var result = input.ToDictionary(c => c.Name);
        var slotNames = new SchemaShape([new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false)]);
        result[columns.PredictedLabel] = new SchemaShape.Column(columns.PredictedLabel, SchemaShape.Column.VectorKind.Vector, BooleanDataViewType.Instance, false, slotNames);
        result[columns.Score] = new SchemaShape.Column(columns.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, slotNames);
        return new SchemaShape(result.Values);
    }

    /// <summary>
    /// The tagger's columns: PredictedLabels, then Score, each a vector of one slot per tag with the tags' names as
    /// SlotNames. No score-set annotations: ML.NET has no multi-label scorer whose evaluators would read them.
    /// </summary>
    public static DataViewSchema.DetachedColumn[] DetachedMultiLabel(ColumnNames columns, IReadOnlyList<string> tags)
    {
        DataViewSchema.Annotations Names()
        {
            var builder = new DataViewSchema.Annotations.Builder();
            builder.AddSlotNames(tags.Count, (ref VBuffer<ReadOnlyMemory<char>> value) =>
            {
                var editor = VBufferEditor.Create(ref value, tags.Count);
                for (int i = 0; i < tags.Count; i++)
                    editor.Values[i] = tags[i].AsMemory();
                value = editor.Commit();
            });
            return builder.ToAnnotations();
        }
        return
        [
            new DataViewSchema.DetachedColumn(columns.PredictedLabel, new VectorDataViewType(BooleanDataViewType.Instance, tags.Count), Names()),
            new DataViewSchema.DetachedColumn(columns.Score, new VectorDataViewType(NumberDataViewType.Single, tags.Count), Names()),
        ];
    }

    /// <summary>The binary columns the transformer adds: PredictedLabel, Score, Probability, in ML.NET's order and with its annotations' order.</summary>
    public static DataViewSchema.DetachedColumn[] DetachedBinary(DataViewSchema input, ColumnNames columns)
    {
        uint setId = NextSetId(input);
        var predicted = new DataViewSchema.Annotations.Builder();
        AddKind(predicted, AnnotationUtils.Const.ScoreColumnKind.BinaryClassification);
        AddValueKind(predicted, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);
        AddSetId(predicted, setId);
        var score = new DataViewSchema.Annotations.Builder();
        AddKind(score, AnnotationUtils.Const.ScoreColumnKind.BinaryClassification);
        AddSetId(score, setId);
        AddValueKind(score, AnnotationUtils.Const.ScoreValueKind.Score);
        var probability = new DataViewSchema.Annotations.Builder();
        AddKind(probability, AnnotationUtils.Const.ScoreColumnKind.BinaryClassification);
        AddSetId(probability, setId);
        probability.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool value) => value = true);
        AddValueKind(probability, AnnotationUtils.Const.ScoreValueKind.Probability);
        return
        [
            new DataViewSchema.DetachedColumn(columns.PredictedLabel, BooleanDataViewType.Instance, predicted.ToAnnotations()),
            new DataViewSchema.DetachedColumn(columns.Score, NumberDataViewType.Single, score.ToAnnotations()),
            new DataViewSchema.DetachedColumn(ColumnNames.Probability, NumberDataViewType.Single, probability.ToAnnotations()),
        ];
    }

    /// <summary>The regression column the transformer adds: Score, with the annotations in ML.NET's order.</summary>
    public static DataViewSchema.DetachedColumn[] DetachedRegression(DataViewSchema input, ColumnNames columns)
    {
        var score = new DataViewSchema.Annotations.Builder();
        AddSetId(score, NextSetId(input));
        AddKind(score, AnnotationUtils.Const.ScoreColumnKind.Regression);
        AddValueKind(score, AnnotationUtils.Const.ScoreValueKind.Score);
        return [new DataViewSchema.DetachedColumn(columns.Score, NumberDataViewType.Single, score.ToAnnotations())];
    }

    // One score set per scorer: the next free id after every score column already in the input.
    private static uint NextSetId(DataViewSchema input) => checked(input.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);

    /// <summary>The multiclass PredictedLabel and Score columns the transformer adds to <paramref name="input"/>, in that order.</summary>
    public static DataViewSchema.DetachedColumn[] DetachedMulticlass(DataViewSchema input, DataViewSchema.DetachedColumn label, ColumnNames columns, int classes)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        uint setId = NextSetId(input);

        // In the order ML.NET's multiclass scorer writes them.
        var predictedAnnotations = new DataViewSchema.Annotations.Builder();
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        string kind = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification;
        AddKind(scoreAnnotations, kind);
        AddSetId(scoreAnnotations, setId);
        AddValueKind(scoreAnnotations, AnnotationUtils.Const.ScoreValueKind.Score);
        AddKind(predictedAnnotations, kind);
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
            new DataViewSchema.DetachedColumn(columns.PredictedLabel, new KeyDataViewType(typeof(uint), classes), predictedAnnotations.ToAnnotations()),
            new DataViewSchema.DetachedColumn(columns.Score, new VectorDataViewType(NumberDataViewType.Single, classes), scoreAnnotations.ToAnnotations()),
        ];
    }

    // The three annotations that tie a scorer's columns together and say what each holds.
    private static void AddKind(DataViewSchema.Annotations.Builder builder, string kind)
        => builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = kind.AsMemory());

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
