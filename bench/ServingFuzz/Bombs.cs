using System.Buffers.Binary;
using System.IO.Compression;

namespace ServingFuzz;

/// <summary>
/// Decompression bombs, written byte by byte: small files that declare (or inflate to) far more pixels than any photo.
/// bench/ServingFuzz sends them to the serving API; the library's tests compile this file too.
/// </summary>
public static class Bombs
{
    /// <summary>
    /// A PNG that declares <paramref name="width"/> x <paramref name="height"/> 8-bit gray pixels and holds the zlib
    /// stream of all of them as zeros, the classic decompression bomb: a 20,000 x 20,000 one is about 390 KB, a 40,000 x
    /// 40,000 one 1.6 MB.
    /// </summary>
    public static byte[] Png(int width, int height) => Png(width, height, rows: height);

    /// <summary>
    /// A PNG that declares a small <paramref name="width"/> x <paramref name="height"/> and whose zlib stream inflates
    /// to <paramref name="rows"/> rows of zeros, far more data than the picture has: deep zlib, inside an image of an
    /// accepted size.
    /// </summary>
    public static byte[] DeepZlib(int width, int height, int rows) => Png(width, height, rows);

    private static byte[] Png(int width, int height, int rows)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[width + 1]; // a filter byte of 0, then the row's zeros
            for (int y = 0; y < rows; y++)
                zlib.Write(row);
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (gray), compression 0, filter 0, no interlace
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A GIF whose logical screen and only image declare <paramref name="width"/> x <paramref name="height"/>, with one pixel's data.</summary>
    public static byte[] Gif(int width, int height)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        Little16(gif, width);
        Little16(gif, height);
        gif.Write([0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]); // a global table of 2 colours: black and white
        gif.WriteByte(0x2C);
        Little16(gif, 0);
        Little16(gif, 0);
        Little16(gif, width);
        Little16(gif, height);
        gif.Write([0, 2, 2, 0x4C, 0x01, 0, 0x3B]); // LZW minimum code size 2, one sub-block, the end
        return gif.ToArray();
    }

    /// <summary>
    /// <paramref name="jpeg"/> (any small baseline or progressive JPEG) with its frame header changed to declare
    /// <paramref name="width"/> x <paramref name="height"/> (at most 65,535 each, JPEG's limit).
    /// </summary>
    /// <exception cref="ArgumentException">The bytes have no frame header (SOF0 to SOF2).</exception>
    public static byte[] Jpeg(byte[] jpeg, int width, int height)
    {
        var patched = (byte[])jpeg.Clone();
        for (int at = 2; at + 9 < patched.Length;)
        {
            if (patched[at] != 0xFF)
                break;
            byte marker = patched[at + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(patched.AsSpan(at + 2));
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                // Length, precision, then height and width.
                BinaryPrimitives.WriteUInt16BigEndian(patched.AsSpan(at + 5), checked((ushort)height));
                BinaryPrimitives.WriteUInt16BigEndian(patched.AsSpan(at + 7), checked((ushort)width));
                return patched;
            }
            at += 2 + length;
        }
        throw new ArgumentException("Expected a JPEG with a baseline, extended or progressive frame header (SOF0 to SOF2) before its image data; found none.", nameof(jpeg));
    }

    private static void Little16(Stream stream, int value)
    {
        stream.WriteByte((byte)value);
        stream.WriteByte((byte)(value >> 8));
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
