using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>
/// Training on more images than memory holds:
///   dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- stream
/// one epoch of LeNot over 1,000,000 generated 1x28x28 images and one of SimpleConvNet over 200,000 generated 3x64x64
/// images (3.1 GB and 9.8 GB as floats), each streamed from a data view that makes every image when it is read, with
/// the trainer's default memory budget and shuffle buffer. Prints the peak resident memory of each run and writes
/// OUT/streaming.md. `--rows N` scales both counts down for a quick look.
/// </summary>
internal static class Streaming
{
    public static void Run(BenchSettings settings)
    {
        double scale = settings.TrainRows is int rows ? rows / 1_000_000.0 : 1;
        var lines = new List<string>
        {
            $"Command: `{(Environment.GetEnvironmentVariable("MLNET_CONVNET_TUNE_ALLOCATOR") == "0" ? "MLNET_CONVNET_TUNE_ALLOCATOR=0 " : "")}dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release -- stream{(settings.TrainRows is int r ? $" --rows {r}" : "")}`; one epoch each, default InMemoryBudgetBytes (1 GiB) and ShuffleBufferBytes (256 MiB); {Environment.ProcessorCount} cores.",
            "",
            "| network | images | shape | as floats | images/s | peak resident memory |",
            "|---|---|---|---|---|---|",
        };
        var runs = new[] { ("LeNot", (int)(1_000_000 * scale), new ImageShape(1, 28, 28)), ("SimpleConvNet", (int)(200_000 * scale), new ImageShape(3, 64, 64)) };
        foreach (var (architecture, count, shape) in runs.Where(r => settings.Architectures.Contains(r.Item1)))
        {
            GC.Collect();
            ProcessMemory.ResetPeak();
            var ml = new MLContext(seed: 1);
            var data = new GeneratedImages(count, shape);
            var clock = Stopwatch.StartNew();
            using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = 1, NumberOfThreads = settings.Threads }).Fit(data);
            double seconds = clock.Elapsed.TotalSeconds;
            double peak = ProcessMemory.PeakResidentMiB;
            string line = $"| {architecture} | {count:N0} | {shape} | {count * (double)shape.Size * 4 / (1L << 30):F1} GiB | {count / model.History[0].Seconds:N0} | {peak:N0} MiB |";
            Console.WriteLine(line + $" (Fit took {seconds:F0} s, counting pass included; loss {model.History[0].Loss:F3})");
            lines.Add(line);
        }
        Directory.CreateDirectory(settings.OutputDirectory);
        string path = Path.Combine(settings.OutputDirectory, Environment.GetEnvironmentVariable("MLNET_CONVNET_TUNE_ALLOCATOR") == "0" ? "streaming-untuned.md" : "streaming.md");
        File.WriteAllLines(path, lines);
        Console.WriteLine($"Wrote {path}.");
    }

    /// <summary>
    /// Images made when they are read, never stored: a bright square whose corner depends on the class (4 classes) on
    /// seeded noise, so the network has something to learn. Row i is always the same image.
    /// </summary>
    private sealed class GeneratedImages : IDataView
    {
        private readonly int _count;
        private readonly ImageShape _shape;

        public GeneratedImages(int count, ImageShape shape)
        {
            _count = count;
            _shape = shape;
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Label", new KeyDataViewType(typeof(uint), 4));
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width));
            Schema = builder.ToSchema();
        }

        public bool CanShuffle => false;

        public DataViewSchema Schema { get; }

        public long? GetRowCount() => _count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null) => new Cursor(this);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null) => [new Cursor(this)];

        private sealed class Cursor(GeneratedImages parent) : DataViewRowCursor
        {
            private long _position = -1;

            public override DataViewSchema Schema => parent.Schema;

            public override long Position => _position;

            public override long Batch => 0;

            public override bool MoveNext() => ++_position < parent._count;

            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (column.Index == 0)
                {
                    ValueGetter<uint> label = (ref uint value) => value = (uint)(_position % 4) + 1;
                    return (ValueGetter<TValue>)(Delegate)label;
                }
                ValueGetter<VBuffer<float>> features = (ref VBuffer<float> value) =>
                {
                    var shape = parent._shape;
                    var editor = VBufferEditor.Create(ref value, shape.Size);
                    var random = new Random((int)_position);
                    for (int i = 0; i < shape.Size; i++)
                        editor.Values[i] = (float)random.NextDouble() * 0.3f;
                    int cls = (int)(_position % 4), half = shape.Height / 2, halfW = shape.Width / 2;
                    for (int c = 0; c < shape.Channels; c++)
                        for (int y = 0; y < half; y++)
                            for (int x = 0; x < halfW; x++)
                                editor.Values[c * shape.Height * shape.Width + (y + (cls / 2) * half) * shape.Width + x + (cls % 2) * halfW] = 0.9f;
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)features;
            }
        }
    }
}
