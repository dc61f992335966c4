using SkiaSharp;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>Image files for the decoding tests: EXIF orientations, photo-like pictures (bombs: bench/ServingFuzz/Bombs.cs).</summary>
public static class TestImages
{
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

    /// <summary>
    /// A photo-like picture of <paramref name="width"/> x <paramref name="height"/>: smooth colour gradients with a
    /// dark disc left of centre and a bright bar right of it, so that a reduced decode and a whole one can be compared.
    /// </summary>
    public static SKBitmap Photo(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var gradient = new SKPaint
        {
            Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                [new SKColor(240, 180, 60), new SKColor(40, 120, 200)], SKShaderTileMode.Clamp),
        };
        canvas.DrawRect(0, 0, width, height, gradient);
        using var dark = new SKPaint { Color = new SKColor(30, 20, 40), IsAntialias = true };
        canvas.DrawCircle(width * 0.3f, height * 0.5f, Math.Min(width, height) * 0.2f, dark);
        using var bright = new SKPaint { Color = new SKColor(250, 250, 230) };
        canvas.DrawRect(width * 0.6f, height * 0.2f, width * 0.15f, height * 0.6f, bright);
        return bitmap;
    }

    /// <summary>A PNG of <paramref name="bitmap"/>, lossless.</summary>
    public static byte[] Png(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
