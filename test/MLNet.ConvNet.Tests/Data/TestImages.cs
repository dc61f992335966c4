using System.IO.Compression;
using SkiaSharp;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>Image files written byte by byte for the decoding tests: bombs, EXIF orientations, transparency.</summary>
public static class TestImages
{
    /// <summary>
    /// A PNG that declares <paramref name="width"/> x <paramref name="height"/> 8-bit gray pixels and holds the zlib
    /// stream of all of them as zeros, the classic decompression bomb, written in 1 MiB pieces so the test itself stays
    /// small: a 20,000 x 20,000 one is about 390 KB.
    /// </summary>
    public static byte[] BombPng(int width, int height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[width + 1]; // a filter byte of 0, then the row's zeros
            for (int y = 0; y < height; y++)
                zlib.Write(row);
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (gray), compression 0, filter 0, no interlace
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A GIF whose logical screen and only image declare <paramref name="width"/> x <paramref name="height"/>, with one pixel's data.</summary>
    public static byte[] BombGif(int width, int height)
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

    /// <summary>A JPEG of <paramref name="bitmap"/> at quality 100, with an EXIF block giving <paramref name="orientation"/> (1 to 8), or none for 0.</summary>
    public static byte[] Jpeg(SKBitmap bitmap, int orientation)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 100);
        byte[] jpeg = data.ToArray();
        if (orientation == 0)
            return jpeg;
        // APP1: "Exif\0\0", then a big-endian TIFF header and one IFD with one entry, 0x0112 Orientation, SHORT.
        byte[] exif =
        [
            (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0,
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8,
            0, 1,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0,
            0, 0, 0, 0,
        ];
        using var tagged = new MemoryStream();
        tagged.Write(jpeg, 0, 2); // SOI
        tagged.Write([0xFF, 0xE1, (byte)((exif.Length + 2) >> 8), (byte)(exif.Length + 2)]);
        tagged.Write(exif);
        tagged.Write(jpeg, 2, jpeg.Length - 2);
        return tagged.ToArray();
    }

    /// <summary>A PNG of <paramref name="bitmap"/>, lossless.</summary>
    public static byte[] Png(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static void Little16(Stream stream, int value)
    {
        stream.WriteByte((byte)value);
        stream.WriteByte((byte)(value >> 8));
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
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
