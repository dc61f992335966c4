using System.Buffers.Binary;
using System.IO.Compression;

namespace OnnxServing;

/// <summary>The MNIST test split from its IDX files (gzip or not), scaled as MLNet.ConvNet scales pixels.</summary>
public static class Idx
{
    public static (float[] Pixels, byte[] Labels) ReadTestSet(string folder)
    {
        byte[] images = Read(Path.Combine(folder, "t10k-images-idx3-ubyte"), 0x803, out int count);
        byte[] labels = Read(Path.Combine(folder, "t10k-labels-idx1-ubyte"), 0x801, out int labelCount);
        if (count != labelCount)
            throw new InvalidDataException($"'{folder}' has {count} test images but {labelCount} labels.");
        var pixels = new float[images.Length];
        for (int i = 0; i < images.Length; i++)
            pixels[i] = images[i] * (1f / 255f);
        return (pixels, labels);
    }

    private static byte[] Read(string stem, int magic, out int count)
    {
        string path = File.Exists(stem + ".gz") ? stem + ".gz" : stem;
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != magic)
            throw new InvalidDataException($"'{path}' is not an IDX file with magic 0x{magic:X8}.");
        count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int header = 4 + 4 * (magic & 0xFF);
        return bytes[header..];
    }
}
