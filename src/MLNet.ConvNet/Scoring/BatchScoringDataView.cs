using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Scoring;

/// <summary>
/// What <see cref="ConvNetTransformer.Transform"/> returns: the input's columns plus the task's score columns
/// (PredictedLabel and Score; Probability for a binary model; Score alone for a regression), computed in batches. A cursor over it reads the input twice in lockstep: one cursor serves the input
/// columns row by row, exactly as the input provides them; a second reads only the features, a batch ahead,
/// for the network. No input value is copied or held, whatever its type. A cursor that needs neither output
/// column is the input's own, untouched.
/// </summary>
internal sealed class BatchScoringDataView : IDataView
{
    /// <summary>The most rows scored at once: for MNIST-sized images and other small ones.</summary>
    public const int BatchSize = 512;

    /// <summary>
    /// Rows scored at once for images of <paramref name="featureSize"/> values: 512 up to about 2,000 values, fewer for
    /// larger images (64 for 3x64x64, 16 for 3x224x224), whose activations for 512 rows would no longer fit in the caches
    /// (a ResNet18 at 96x96 scored 166 images/s in batches of 512, bench/results/finetune).
    /// </summary>
    public static int RowsPerBatch(int featureSize) => Math.Clamp((1 << 20) / Math.Max(featureSize, 1), 16, BatchSize);

    private readonly IDataView _input;
    private readonly BatchScorer _scorer;
    private readonly int _featureIndex;

    // Each scored column's index in the output schema, in the task's order (its getter's index).
    private readonly int[] _scoredIndices;
    private Action<FeatureRange>? _firstBatchCheck;

    /// <summary>The scored view of <paramref name="input"/>; <paramref name="firstBatchCheck"/> (may be null) gets the feature range of the first batch any cursor reads, once per view.</summary>
    public BatchScoringDataView(IDataView input, DataViewSchema outputSchema, BatchScorer scorer, int featureIndex, IReadOnlyList<string> scoredColumns, Action<FeatureRange>? firstBatchCheck = null)
    {
        _firstBatchCheck = firstBatchCheck;
        _input = input;
        _scorer = scorer;
        Schema = outputSchema;
        _featureIndex = featureIndex;
        _scoredIndices = scoredColumns.Select(name => outputSchema[name].Index).ToArray();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputColumns = _input.Schema.Where(c => needed.Contains(c.Index)).ToList();
        var rows = _input.GetRowCursor(inputColumns);
        var batches = _scoredIndices.Any(needed.Contains)
            ? new Batches(this, _input.GetRowCursor([_input.Schema[_featureIndex]]))
            : null;
        return new Cursor(this, rows, batches, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    /// <summary>The features cursor that runs a batch ahead of the rows, and the scores of the batch it read last.</summary>
    private sealed class Batches : IDisposable
    {
        private readonly BatchScoringDataView _parent;
        private readonly DataViewRowCursor _features;
        private readonly ValueGetter<VBuffer<float>> _getFeatures;
        private readonly float[] _batch;
        private readonly float[] _scores;
        private readonly int _size, _width, _rows;
        private VBuffer<float> _buffer;
        private long _start;
        private int _count;

        public Batches(BatchScoringDataView parent, DataViewRowCursor features)
        {
            _parent = parent;
            _features = features;
            _width = parent._scorer.Width;
            var column = features.Schema[parent._featureIndex];
            _getFeatures = features.GetGetter<VBuffer<float>>(column);
            _size = ((VectorDataViewType)column.Type).Size;
            _rows = RowsPerBatch(_size);
            _batch = new float[_rows * _size];
            _scores = new float[_rows * _width];
        }

        /// <summary>Scores the next batch when <paramref name="position"/> is past the one held.</summary>
        public void MoveTo(long position)
        {
            if (position < _start + _count)
                return;
            _start = position;
            _count = 0;
            string column = _features.Schema[_parent._featureIndex].Name;
            try
            {
                while (_count < _rows && _features.MoveNext())
                {
                    _getFeatures(ref _buffer);
                    if (FeatureRows.CopyChecked(_buffer, _batch.AsSpan(_count * _size, _size), _features.Position, column) is { } problem)
                        throw new InvalidDataException(problem);
                    _count++;
                }
            }
            catch (InvalidDataException e)
            {
                throw new InvalidOperationException(e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var cause = ExceptionChain.Innermost(e);
                throw new InvalidOperationException($"Reading row {_start + _count} of the data to score failed: {cause.Message} ({cause.GetType().Name})", e);
            }
            if (_count == 0)
                throw new InvalidOperationException("The input yielded a row to one cursor and none to another; it must give every cursor the same rows.");
            if (Interlocked.Exchange(ref _parent._firstBatchCheck, null) is { } check && FeatureRange.Of(_batch.AsSpan(0, _count * _size)) is { } range)
                check(range);
            _parent._scorer.Score(_batch, _count, _scores);
        }

        /// <summary>The scores of the row at <paramref name="position"/>, which the batch held covers.</summary>
        public ReadOnlySpan<float> Scores(long position) => _scores.AsSpan((int)(position - _start) * _width, _width);

        public void Dispose() => _features.Dispose();
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchScoringDataView _parent;
        private readonly DataViewRowCursor _rows;
        private readonly Batches? _batches;
        private readonly HashSet<int> _active;
        private long _position = -1;

        // batches is null when the cursor needs neither output column.
        public Cursor(BatchScoringDataView parent, DataViewRowCursor rows, Batches? batches, HashSet<int> active)
        {
            _parent = parent;
            _rows = rows;
            _batches = batches;
            _active = active;
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
            _batches?.MoveTo(_position);
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            int scored = Array.IndexOf(_parent._scoredIndices, column.Index);
            if (scored < 0)
                return _rows.GetGetter<TValue>(_rows.Schema[column.Index]);
            var batches = _batches ?? throw new InvalidOperationException($"Column '{column.Name}' is scored, but the cursor was created without the features.");
            return _parent._scorer.Task.Getter(scored, () => batches.Scores(_position)) as ValueGetter<TValue> ?? throw TypeMismatch<TValue>(column);
        }

        private static InvalidOperationException TypeMismatch<TValue>(DataViewSchema.Column column)
            => new($"Column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was asked for.");

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rows.Dispose();
                _batches?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
