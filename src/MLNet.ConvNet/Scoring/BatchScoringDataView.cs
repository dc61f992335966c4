using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Scoring;

/// <summary>
/// What <see cref="ConvNetTransformer.Transform"/> returns: the input's columns plus PredictedLabel and Score,
/// computed in batches. A cursor over it reads the input twice in lockstep: one cursor serves the input
/// columns row by row, exactly as the input provides them; a second reads only the features, a batch ahead,
/// for the network. No input value is copied or held, whatever its type. A cursor that needs neither output
/// column is the input's own, untouched.
/// </summary>
internal sealed class BatchScoringDataView : IDataView
{
    public const int BatchSize = 512;

    private readonly IDataView _input;
    private readonly BatchScorer _scorer;
    private readonly int _featureIndex, _predictedIndex, _scoreIndex;
    private Action<FeatureRange> _firstBatchCheck;

    /// <summary>The scored view of <paramref name="input"/>; <paramref name="firstBatchCheck"/> (may be null) gets the feature range of the first batch any cursor reads, once per view.</summary>
    public BatchScoringDataView(IDataView input, DataViewSchema outputSchema, BatchScorer scorer, int featureIndex, string predictedLabelColumn, string scoreColumn, Action<FeatureRange> firstBatchCheck = null)
    {
        _firstBatchCheck = firstBatchCheck;
        _input = input;
        _scorer = scorer;
        Schema = outputSchema;
        _featureIndex = featureIndex;
        _predictedIndex = outputSchema[predictedLabelColumn].Index;
        _scoreIndex = outputSchema[scoreColumn].Index;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputColumns = _input.Schema.Where(c => needed.Contains(c.Index)).ToList();
        var rows = _input.GetRowCursor(inputColumns);
        DataViewRowCursor features = null;
        if (needed.Contains(_predictedIndex) || needed.Contains(_scoreIndex))
            features = _input.GetRowCursor([_input.Schema[_featureIndex]]);
        return new Cursor(this, rows, features, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchScoringDataView _parent;
        private readonly DataViewRowCursor _rows;
        private readonly DataViewRowCursor _features;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<VBuffer<float>> _getFeatures;
        private readonly float[] _batch;
        private readonly float[] _probabilities;
        private readonly int _size, _classes;
        private VBuffer<float> _buffer;
        private long _position = -1;
        private long _batchStart;
        private int _batchCount;

        public Cursor(BatchScoringDataView parent, DataViewRowCursor rows, DataViewRowCursor features, HashSet<int> active)
        {
            _parent = parent;
            _rows = rows;
            _features = features;
            _active = active;
            _classes = parent._scorer.Classes;
            if (features is not null)
            {
                _getFeatures = features.GetGetter<VBuffer<float>>(features.Schema[parent._featureIndex]);
                _size = ((VectorDataViewType)features.Schema[parent._featureIndex].Type).Size;
                _batch = new float[BatchSize * _size];
                _probabilities = new float[BatchSize * _classes];
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => _rows.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _rows.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_rows.MoveNext())
                return false;
            _position++;
            if (_features is not null && _position >= _batchStart + _batchCount)
                NextBatch();
            return true;
        }

        private void NextBatch()
        {
            _batchStart = _position;
            _batchCount = 0;
            string column = _features.Schema[_parent._featureIndex].Name;
            try
            {
                while (_batchCount < BatchSize && _features.MoveNext())
                {
                    _getFeatures(ref _buffer);
                    if (FeatureRows.CopyChecked(_buffer, _batch.AsSpan(_batchCount * _size, _size), _features.Position, column) is { } problem)
                        throw new InvalidDataException(problem);
                    _batchCount++;
                }
            }
            catch (InvalidDataException e)
            {
                throw new InvalidOperationException(e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var cause = ExceptionChain.Innermost(e);
                throw new InvalidOperationException($"Reading row {_batchStart + _batchCount} of the data to score failed: {cause.Message} ({cause.GetType().Name})", e);
            }
            if (_batchCount == 0)
                throw new InvalidOperationException("The input yielded a row to one cursor and none to another; it must give every cursor the same rows.");
            if (Interlocked.Exchange(ref _parent._firstBatchCheck, null) is { } check && FeatureRange.Of(_batch.AsSpan(0, _batchCount * _size)) is { } range)
                check(range);
            _parent._scorer.Score(_batch, _batchCount, _probabilities);
        }

        private ReadOnlySpan<float> Current => _probabilities.AsSpan((int)(_position - _batchStart) * _classes, _classes);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            if (column.Index == _parent._scoreIndex)
            {
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, _classes);
                    Current.CopyTo(editor.Values);
                    value = editor.Commit();
                };
                return score as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column);
            }
            if (column.Index == _parent._predictedIndex)
            {
                ValueGetter<uint> predicted = (ref uint value) => value = BatchScorer.ArgMaxKey(Current);
                return predicted as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column);
            }
            return _rows.GetGetter<TValue>(_rows.Schema[column.Index]);
        }

        private static InvalidOperationException TypeMismatch<TValue>(DataViewSchema.Column column)
            => new($"Column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was asked for.");

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rows.Dispose();
                _features?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
