using System.Buffers.Binary;
using System.IO.Compression;

namespace OnnxServing;

/// <summary>
/// The MNIST test split from its IDX files (gzip or not), read a batch at a time and scaled as MLNet.ConvNet scales
/// pixels, so the check's memory is one batch, not the whole split.
/// </summary>
public static class Idx
{
    /// <summary>The test images in batches of up to <paramref name="batchSize"/>: pixels (image after image) and labels.</summary>
    /// <exception cref="InvalidDataException">A file is not IDX, or images and labels disagree.</exception>
    public static IEnumerable<(float[] Pixels, byte[] Labels)> ReadTestSet(string folder, int batchSize)
    {
        using var images = Open(Path.Combine(folder, "t10k-images-idx3-ubyte"), 0x803, out int count, out int pixelsPerImage);
        using var labels = Open(Path.Combine(folder, "t10k-labels-idx1-ubyte"), 0x801, out int labelCount, out _);
        if (count != labelCount)
            throw new InvalidDataException($"'{folder}' has {count} test images but {labelCount} labels.");
        var bytes = new byte[batchSize * pixelsPerImage];
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            images.ReadExactly(bytes, 0, n * pixelsPerImage);
            var batchLabels = new byte[n];
            labels.ReadExactly(batchLabels);
            var pixels = new float[n * pixelsPerImage];
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = bytes[i] * (1f / 255f);
            yield return (pixels, batchLabels);
        }
    }

    private static Stream Open(string stem, int magic, out int count, out int itemSize)
    {
        string path = File.Exists(stem + ".gz") ? stem + ".gz" : stem;
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.Ordinal))
            stream = new GZipStream(stream, CompressionMode.Decompress);
        int dimensions = magic & 0xFF;
        var header = new byte[4 + 4 * dimensions];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadInt32BigEndian(header) != magic)
        {
            stream.Dispose();
            throw new InvalidDataException($"'{path}' is not an IDX file with magic 0x{magic:X8}.");
        }
        count = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        itemSize = 1;
        for (int d = 1; d < dimensions; d++)
            itemSize *= BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * d));
        return stream;
    }
}
