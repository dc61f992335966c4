using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Scoring.Internals;

/// <summary>
/// The row-by-row twin of <see cref="BatchScoringDataView"/>, as <c>PredictionEngine</c> and <c>GetOutputSchema</c>
/// use it: an ML.NET row-to-row transformer whose mapper adds the task's score columns, one row per forward pass. Its base class is internal to ML.NET, which is why it lives here; the ConvNetTransformer owns one and
/// hands it its own Save, so the model file has a single writer.
/// </summary>
internal sealed class RowScoringTransformer : RowToRowTransformerBase
{
    private readonly ScoringModel _model;
    private readonly Action<ModelSaveContext> _save;

    public RowScoringTransformer(IHostEnvironment env, ScoringModel model, Action<ModelSaveContext> save)
        : base(Contracts.CheckRef(env, nameof(env)).Register("ConvNetTransformer"))
    {
        _model = model;
        _save = save;
    }

    // ML.NET asks the base class and the mapper to save themselves; both write the ConvNetTransformer, through its one entry.
    public override void SaveModel(ModelSaveContext ctx) => _save(ctx);

    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MapperBase
    {
        private readonly RowScoringTransformer _owner;
        private readonly ScoringModel _model;
        private readonly int _featureIndex;
        private readonly int _outputs;

        public Mapper(RowScoringTransformer owner, DataViewSchema inputSchema)
            : base(owner.Host.Register(nameof(Mapper)), inputSchema, owner)
        {
            _owner = owner;
            _model = owner._model;
            _featureIndex = SchemaChecks.CheckFeatureColumn(inputSchema, _model.Columns.Features, _model.Network.InputShape, "score with", _model.ShapeAdvice);
            _outputs = _model.OutputColumns(inputSchema).Length;
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => _model.OutputColumns(InputSchema);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            => throw new NotSupportedException("CreateGetters builds every output together.");

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            var shape = _model.Network.InputShape;
            var getFeatures = input.GetGetter<VBuffer<float>>(input.Schema[_featureIndex]);
            var features = new float[shape.Size];
            var scores = new float[_model.Scorer.Width];
            VBuffer<float> buffer = default;
            long cachedPosition = -1;

            // Every output of a row comes from one forward pass, cached by row position.
            void Score()
            {
                if (cachedPosition == input.Position)
                    return;
                getFeatures(ref buffer);
                if (FeatureRows.CopyChecked(buffer, features, input.Position, _model.Columns.Features) is { } problem)
                    throw new InvalidOperationException(problem);
                _model.Scorer.Score(features, 1, scores);
                cachedPosition = input.Position;
            }

            var getters = new Delegate[_outputs];
            for (int i = 0; i < _outputs; i++)
            {
                if (activeOutput(i))
                    getters[i] = _model.Task.Getter(i, () => { Score(); return scores; });
            }
            disposer = null;
            return getters;
        }

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
            => column => column == _featureIndex && Enumerable.Range(0, _outputs).Any(activeOutput);

        public override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);
    }
}
