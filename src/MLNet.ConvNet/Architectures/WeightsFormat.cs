using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MLNet.ConvNet.Architectures;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// The "Weights" stream of a saved model: every parameter by name, with its shape and float32 values,
/// and a SHA-256 over all of it so that altered or damaged weights are refused, never loaded.
/// <code>
/// uint32  magic 0x54574E43 ("CNWT" little-endian)
/// int32   format version (1)
/// int32   number of tensors, then per tensor, in the model's parameter order:
///         string name (.NET length-prefixed UTF-8), int32 rank, int64 dims[rank],
///         float32 values[product of dims], little-endian
/// byte[32] SHA-256 of every byte above
/// </code>
/// </summary>
internal static class WeightsFormat
{
    public const uint Magic = 0x54574E43;
    public const int Version = 1;

    public static void Write(BinaryWriter output, IReadOnlyList<WeightTensor> tensors)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(tensors.Count);
            foreach (var tensor in tensors)
            {
                writer.Write(tensor.Name);
                writer.Write(tensor.Shape.Count);
                foreach (long d in tensor.Shape)
                    writer.Write(d);
                writer.Write(MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
            }
        }
        byte[] body = buffer.ToArray();
        output.Write(body);
        output.Write(SHA256.HashData(body));
    }

    /// <summary>Reads a weights block and checks it against <paramref name="model"/>'s parameters, without touching them.</summary>
    /// <exception cref="InvalidDataException">The stream is damaged, altered, or does not fit the model.</exception>
    public static IReadOnlyList<WeightTensor> ReadFor(BinaryReader input, ConvNetModule model)
    {
        var expected = model.State();
        using var hashing = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = new HashingReader(input, hashing);
        var loaded = new List<WeightTensor>();
        try
        {
            if (reader.UInt32() != Magic)
                throw new InvalidDataException("The model's weights stream does not start with the CNWT magic number; it is not a ConvNet weights stream.");
            int version = reader.Int32();
            if (version != Version)
                throw new InvalidDataException($"The model's weights use format version {version}; this MLNet.ConvNet reads version {Version}. Update MLNet.ConvNet to load it.");
            int count = reader.Int32();
            if (count != expected.Count)
                throw new InvalidDataException($"The model's weights hold {count} tensors, but architecture '{model.Architecture.Name}' has {expected.Count} parameters.");
            foreach (var (name, parameter) in expected)
            {
                string savedName = reader.String();
                int rank = reader.Int32();
                if (savedName != name || rank != parameter.dim())
                    throw new InvalidDataException($"The model's weights hold '{savedName}' of rank {rank} where architecture '{model.Architecture.Name}' has '{name}' of rank {parameter.dim()}.");
                var dims = new long[rank];
                for (int i = 0; i < rank; i++)
                    dims[i] = reader.Int64();
                if (!dims.SequenceEqual(parameter.shape))
                    throw new InvalidDataException($"The model's weights give '{name}' shape [{string.Join(", ", dims)}] but architecture '{model.Architecture.Name}' needs [{string.Join(", ", parameter.shape)}].");
                var values = new float[parameter.numel()];
                reader.Bytes(MemoryMarshal.AsBytes(values.AsSpan()));
                loaded.Add(new WeightTensor(name, dims, values));
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The model's weights stream ends early; the .zip is truncated or corrupt.", e);
        }
        byte[] actual = hashing.GetHashAndReset();
        var stored = new byte[32];
        if (input.Read(stored, 0, 32) != 32 || !actual.AsSpan().SequenceEqual(stored))
            throw new InvalidDataException("The model's weights do not match their checksum; the .zip was altered or damaged. Retrain or restore the model.");
        return loaded;
    }

    /// <summary>Reads little-endian values and feeds every byte to the checksum.</summary>
    private sealed class HashingReader(BinaryReader reader, IncrementalHash hash)
    {
        public uint UInt32() => BitConverter.ToUInt32(Take(4));
        public int Int32() => BitConverter.ToInt32(Take(4));
        public long Int64() => BitConverter.ToInt64(Take(8));

        public string String()
        {
            int length = 0, shift = 0;
            byte b;
            do
            {
                b = Take(1)[0];
                length |= (b & 0x7f) << shift;
                shift += 7;
                if (shift > 35)
                    throw new InvalidDataException("The model's weights stream has a malformed tensor name.");
            } while ((b & 0x80) != 0);
            if (length > 4096)
                throw new InvalidDataException($"The model's weights stream declares a tensor name of {length} bytes; the stream is corrupt.");
            return System.Text.Encoding.UTF8.GetString(Take(length));
        }

        public void Bytes(Span<byte> destination)
        {
            int total = 0;
            while (total < destination.Length)
            {
                int read = reader.Read(destination[total..]);
                if (read == 0)
                    throw new EndOfStreamException();
                total += read;
            }
            hash.AppendData(destination);
        }

        private byte[] Take(int count)
        {
            var bytes = new byte[count];
            Bytes(bytes);
            return bytes;
        }
    }
}
