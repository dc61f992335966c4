using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Model.Internals;

/// <summary>
/// ML.NET's row-to-row plumbing behind <see cref="ConvNetTransformer"/>, as <c>PredictionEngine</c> and
/// <c>GetOutputSchema</c> use it: a <see cref="RowToRowTransformerBase"/> whose mapper adds the PredictedLabel and
/// Score columns, one row per forward pass, with the annotations ML.NET's multiclass scorers add. The base class is
/// internal to ML.NET, which is why this class lives here. (Transform's batched path is BatchScoringDataView.)
/// </summary>
internal sealed class ConvNetRowMapper : RowToRowTransformerBase
{
    private readonly ConvNetTransformer _parent;

    public ConvNetRowMapper(IHostEnvironment env, ConvNetTransformer parent)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(ConvNetTransformer)))
    {
        _parent = parent;
    }

    // ML.NET asks the base class and the mapper to save themselves; both write the transformer, through its one entry.
    public override void SaveModel(ModelSaveContext ctx) => ((ICanSaveModel)_parent).Save(ctx);

    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MapperBase
    {
        private readonly ConvNetRowMapper _owner;
        private readonly int _featureIndex;

        public Mapper(ConvNetRowMapper owner, DataViewSchema inputSchema)
            : base(owner.Host.Register(nameof(Mapper)), inputSchema, owner)
        {
            _owner = owner;
            var parent = owner._parent;
            _featureIndex = SchemaChecks.CheckFeatureColumn(inputSchema, parent.FeatureColumnName, parent.Network.InputShape, "score with", parent.ScoringRoute);
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var parent = _owner._parent;
            var label = parent.LabelColumn;
            var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
            int classes = parent.NumberOfClasses;

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
            uint setId = checked(InputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);
            scoreAnnotations.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint value) => value = setId);
            scoreAnnotations.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
            scoreAnnotations.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreValueKind.Score.AsMemory());

            return
            [
                new DataViewSchema.DetachedColumn(parent.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classes), predictedAnnotations.ToAnnotations()),
                new DataViewSchema.DetachedColumn(parent.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes), scoreAnnotations.ToAnnotations()),
            ];
        }

        private static DataViewSchema.Annotations RenameAnnotation(DataViewSchema.Annotations source, string from, string to)
        {
            var column = source.Schema[from];
            var builder = new DataViewSchema.Annotations.Builder();
            var method = typeof(Mapper).GetMethod(nameof(CopyAnnotation), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
                .MakeGenericMethod(column.Type.RawType);
            method.Invoke(null, new object[] { builder, source, from, to, column.Type });
            return builder.ToAnnotations();
        }

        private static void CopyAnnotation<T>(DataViewSchema.Annotations.Builder builder, DataViewSchema.Annotations source, string from, string to, DataViewType type)
        {
            ValueGetter<T> getter = (ref T value) => source.GetValue(from, ref value);
            builder.Add(to, type, getter);
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            => throw new NotSupportedException("CreateGetters builds both outputs together.");

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            var parent = _owner._parent;
            var shape = parent.Network.InputShape;
            int classes = parent.NumberOfClasses;
            var getFeatures = input.GetGetter<VBuffer<float>>(input.Schema[_featureIndex]);
            var features = new float[shape.Size];
            var probabilities = new float[classes];
            VBuffer<float> buffer = default;
            long cachedPosition = -1;

            // Both outputs of a row come from one forward pass, cached by row position.
            void Score()
            {
                if (cachedPosition == input.Position)
                    return;
                getFeatures(ref buffer);
                if (FeatureRows.CopyChecked(buffer, features, input.Position, parent.FeatureColumnName) is { } problem)
                    throw new InvalidOperationException(problem);
                parent.BatchScorer.Score(features, 1, probabilities);
                cachedPosition = input.Position;
            }

            var getters = new Delegate[2];
            if (activeOutput(0))
            {
                getters[0] = (ValueGetter<uint>)((ref uint value) =>
                {
                    Score();
                    value = BatchScorer.ArgMaxKey(probabilities);
                });
            }
            if (activeOutput(1))
            {
                getters[1] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    Score();
                    var editor = VBufferEditor.Create(ref value, classes);
                    probabilities.AsSpan().CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            disposer = null;
            return getters;
        }

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
            => column => column == _featureIndex && (activeOutput(0) || activeOutput(1));

        public override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);
    }
}
