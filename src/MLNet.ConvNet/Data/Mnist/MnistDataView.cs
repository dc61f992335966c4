using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Data;

/// <summary>
/// MNIST records as an <see cref="IDataView"/> straight over the IDX bytes: <c>Label</c> (key 1..10 for the
/// digits 0..9, key values "0".."9") and <c>Features</c> (pixels x <see cref="MnistDataset.PixelScale"/>, with
/// slot names "r{row}c{column}" so that ML.NET's per-feature tools can name each pixel), each computed only when
/// its getter is called, into the caller's buffer. Nothing is allocated per row.
/// </summary>
internal sealed class MnistDataView : IDataView
{
    private readonly MnistData _data;

    public MnistDataView(MnistData data)
    {
        _data = data;
        var builder = new DataViewSchema.Builder();
        var keyValues = new VBuffer<ReadOnlyMemory<char>>(MnistDataset.ClassNames.Count, MnistDataset.ClassNames.Select(n => n.AsMemory()).ToArray());
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, keyValues.Length), (ref VBuffer<ReadOnlyMemory<char>> value) => keyValues.CopyTo(ref value));
        builder.AddColumn(MnistDataset.LabelColumnName, new KeyDataViewType(typeof(uint), MnistDataset.ClassNames.Count), annotations.ToAnnotations());
        var pixelNames = Enumerable.Range(0, data.Images.PixelsPerImage)
            .Select(p => $"r{p / data.Images.Columns}c{p % data.Images.Columns}".AsMemory()).ToArray();
        var slotNames = new DataViewSchema.Annotations.Builder();
        slotNames.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, pixelNames.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => new VBuffer<ReadOnlyMemory<char>>(pixelNames.Length, pixelNames).CopyTo(ref value));
        builder.AddColumn(MnistDataset.FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, data.Images.PixelsPerImage), slotNames.ToAnnotations());
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _data.Labels.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(MnistDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded) : DataViewRowCursor
    {
        private readonly HashSet<int> _active = columnsNeeded.Select(c => c.Index).ToHashSet();
        private long _position = -1;

        public override DataViewSchema Schema => parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext() => ++_position < parent._data.Labels.Length;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            if (column.Index == 0)
            {
                ValueGetter<uint> label = (ref uint value) => value = parent._data.Labels[_position] + 1u;
                return label as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
            }
            int size = parent._data.Images.PixelsPerImage;
            ValueGetter<VBuffer<float>> features = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, size);
                var pixels = parent._data.Images.Pixels.AsSpan((int)(_position * size), size);
                for (int p = 0; p < size; p++)
                    editor.Values[p] = pixels[p] * MnistDataset.PixelScale;
                value = editor.Commit();
            };
            return features as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
