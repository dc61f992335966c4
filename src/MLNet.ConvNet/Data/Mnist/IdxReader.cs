using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Reads files in the IDX format that MNIST uses, raw or gzip-compressed (detected from the content,
/// not the name). The record count always comes from the header, so subsets and the full files read alike.
/// </summary>
/// <remarks>
/// Layout (big-endian): two zero bytes, a type byte (0x08 = unsigned byte), a byte with the number of
/// dimensions, one 32-bit size per dimension, then the data, row-major. Images are 3-dimensional
/// (count, rows, columns), labels 1-dimensional (count).
/// </remarks>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    /// <summary>The largest file body the reader accepts (1 GiB; full MNIST is 47 MB), so a corrupt header cannot ask for gigabytes.</summary>
    public const long MaxDataBytes = 1L << 30;

    /// <summary>Reads an image file: magic 0x00000803, then count, rows and columns.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX image file.</exception>
    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = Read(path, expectedRank: 3);
        return new IdxImages((int)dims[0], (int)dims[1], (int)dims[2], data);
    }

    /// <summary>Reads a label file: magic 0x00000801, then count.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabels(string path) => Read(path, expectedRank: 1).Data;

    private static (long[] Dims, byte[] Data) Read(string path, int expectedRank)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);

        using var file = File.OpenRead(path);
        bool gzip = IsGzip(file);
        // What the file can hold at most: its length, or for gzip the uncompressed size its trailer records
        // (ISIZE, modulo 2^32; files under 4 GiB, as every IDX file is, give it exactly). A header that asks
        // for more is refused before anything is allocated.
        long available = gzip ? GzipUncompressedSize(file) : file.Length;
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, path, "the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != UnsignedByte || magic[3] != expectedRank)
        {
            throw new InvalidDataException(
                $"'{path}' is not an IDX {(expectedRank == 3 ? "image" : "label")} file: expected magic number 0x0000080{expectedRank} " +
                $"(unsigned bytes, {expectedRank} dimension{(expectedRank == 1 ? "" : "s")}), got 0x{Convert.ToHexString(magic)}.");
        }

        var dims = new long[expectedRank];
        Span<byte> size = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < expectedRank; i++)
        {
            ReadExactly(stream, size, path, $"dimension {i} of the header");
            dims[i] = BinaryPrimitives.ReadUInt32BigEndian(size);
            if (dims[i] == 0 || dims[i] > int.MaxValue)
                throw new InvalidDataException($"'{path}' declares dimension {i} as {dims[i]}; expected a size between 1 and {int.MaxValue}.");
            total *= dims[i];
            if (total > MaxDataBytes)
                throw new InvalidDataException($"'{path}' declares dimensions [{string.Join(", ", dims.Take(i + 1))}], {total:N0} bytes or more of data; the reader accepts at most {MaxDataBytes:N0}. The header is probably corrupt.");
        }

        long headerBytes = 4 + 4L * expectedRank;
        if (headerBytes + total > available)
            throw new InvalidDataException($"'{path}' is truncated or its header is corrupt: dimensions [{string.Join(", ", dims)}] need {total:N0} bytes of data, but the file holds at most {Math.Max(0, available - headerBytes):N0}.");
        return (dims, ReadData(stream, total, path, dims));
    }

    // The buffer grows only as bytes arrive: a truncated gzip file, whose last four bytes are not a real trailer,
    // may still claim far more than it holds.
    private static byte[] ReadData(Stream stream, long total, string path, long[] dims)
    {
        var buffer = new byte[Math.Min(total, 1 << 20)];
        long filled = 0;
        while (filled < total)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(total, buffer.Length * 2L));
            int read = ReadSome(stream, buffer.AsSpan((int)filled), path);
            if (read == 0)
                throw new InvalidDataException($"'{path}' is truncated: dimensions [{string.Join(", ", dims)}] need {total:N0} bytes of data, but the file ended after {filled:N0}.");
            filled += read;
        }
        return buffer;
    }

    private static long GzipUncompressedSize(FileStream file)
    {
        if (file.Length < 18)
            return 0;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int read = file.Read(head);
        file.Position = 0;
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    // GZipStream reports a corrupt stream without naming the file; every read goes through here to add it.
    private static int ReadSome(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' could not be decompressed: {e.Message}", e);
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = ReadSome(stream, buffer[total..], path);
            if (read == 0)
                throw new InvalidDataException($"'{path}' is truncated: expected {what}, but the file ended after {total:N0} of {buffer.Length:N0} bytes.");
            total += read;
        }
    }
}
