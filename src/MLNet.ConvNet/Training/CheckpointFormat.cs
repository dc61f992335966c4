using System.Security.Cryptography;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Training;

/// <summary>
/// One epoch's checkpoint file, <c>epoch-NNNN.ckpt</c> in the checkpoint folder, written through a temporary
/// file and a rename:
/// <code>
/// uint32  magic 0x4B434E43 ("CNCK" little-endian), int32 format version (3; version 1 lacks the history's augmented flags, 2 the weight average)
/// string  fingerprint of the run (architecture, data sizes, options): resuming checks it
/// int32   epochs completed
///         history (see <see cref="HistoryFormat"/>)
///         weights block (see <see cref="WeightsFormat"/>)
/// int32   length, then TorchSharp's optimizer state (Optimizer.save_state_dict)
/// bool    early stopping present; if so: bool + float64 best value, int32 best epoch,
///         int32 epochs without improvement, bool + weights block of the best epoch
/// bool    weight average present (version 3 on); if so: int64 steps averaged, weights block of the average
/// byte[32] SHA-256 of every byte above
/// </code>
/// Nothing else needs saving to continue exactly: shuffling, augmentation and dropout masks are seeded by (seed, epoch) and the learning-rate
/// schedules are functions of the epoch and the history.
/// </summary>
internal static class CheckpointFormat
{
    private const uint Magic = 0x4B434E43;
    private const int Version = 3;
    private const int OldestVersion = 1;

    public sealed record Content(string Fingerprint, int Epoch, IReadOnlyList<EpochMetrics> History, IReadOnlyList<WeightTensor> Weights,
        byte[] OptimizerState, EarlyStopping.State? EarlyStopping, IReadOnlyList<WeightTensor>? Average = null, long AverageSteps = 0);

    public static void Write(string path, Content content)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(content.Fingerprint);
            writer.Write(content.Epoch);
            HistoryFormat.Write(writer, content.History);
            WeightsFormat.Write(writer, content.Weights);
            writer.Write(content.OptimizerState.Length);
            writer.Write(content.OptimizerState);
            writer.Write(content.EarlyStopping is not null);
            if (content.EarlyStopping is { } state)
            {
                writer.Write(state.Best.HasValue);
                writer.Write(state.Best ?? 0);
                writer.Write(state.BestEpoch);
                writer.Write(state.Wait);
                writer.Write(state.BestWeights is not null);
                if (state.BestWeights is not null)
                    WeightsFormat.Write(writer, state.BestWeights);
            }
            writer.Write(content.Average is not null);
            if (content.Average is { } average)
            {
                writer.Write(content.AverageSteps);
                WeightsFormat.Write(writer, average);
            }
        }
        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));

        AtomicFile.Write(path, file =>
        {
            buffer.Position = 0;
            buffer.CopyTo(file);
        });
    }

    /// <summary>Whether the file's last 32 bytes are the SHA-256 of the rest: it was written whole.</summary>
    private static bool IsWhole(byte[] bytes)
        => bytes.Length >= 40 && SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32));

    /// <summary>The fingerprint of a whole, readable checkpoint, without reading its weights; null when the file is damaged or not a checkpoint.</summary>
    public static string? ReadFingerprint(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return null;
        }
        if (!IsWhole(bytes))
            return null;
        using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 32));
        try
        {
            if (reader.ReadUInt32() != Magic || reader.ReadInt32() is < OldestVersion or > Version)
                return null;
            return reader.ReadString();
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Reads a checkpoint written for <paramref name="model"/>'s architecture.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, truncated or not a checkpoint.</exception>
    public static Content Read(string path, ConvNetModule model)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (!IsWhole(bytes))
            throw new InvalidDataException($"The checkpoint '{path}' is damaged or incomplete (its checksum does not match).");
        using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 32));
        try
        {
            if (reader.ReadUInt32() != Magic)
                throw new InvalidDataException($"'{path}' is not an MLNet.ConvNet checkpoint.");
            int version = reader.ReadInt32();
            if (version is < OldestVersion or > Version)
                throw new InvalidDataException($"The checkpoint '{path}' has format version {version}; this MLNet.ConvNet reads versions {OldestVersion} to {Version}.");
            string fingerprint = reader.ReadString();
            int epoch = reader.ReadInt32();
            var history = HistoryFormat.Read(reader, withValidation: true, withAugmented: version >= 2);
            var weights = WeightsFormat.ReadFor(reader, model);
            byte[] optimizer = reader.ReadBytes(reader.ReadInt32());
            EarlyStopping.State? state = null;
            if (reader.ReadBoolean())
            {
                bool hasBest = reader.ReadBoolean();
                double best = reader.ReadDouble();
                state = new EarlyStopping.State(hasBest ? best : null, reader.ReadInt32(), reader.ReadInt32(), reader.ReadBoolean() ? WeightsFormat.ReadFor(reader, model) : null);
            }
            IReadOnlyList<WeightTensor>? average = null;
            long steps = 0;
            if (version >= 3 && reader.ReadBoolean())
            {
                steps = reader.ReadInt64();
                average = WeightsFormat.ReadFor(reader, model);
            }
            return new Content(fingerprint, epoch, history, weights, optimizer, state, average, steps);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The checkpoint '{path}' ends early.", e);
        }
    }
}
