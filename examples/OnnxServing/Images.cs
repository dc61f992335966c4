using SkiaSharp;

namespace OnnxServing;

/// <summary>
/// Image files to the features the network takes, exactly as MLNet.ConvNet's ConvNetImageFeatures computes them with
/// ImageAnalytics: decoded (a file cut short is refused, not read in part), turned gray with ImageAnalytics' weights
/// (0.3 R + 0.59 G + 0.11 B) for a one-channel network, resized by stretching without smoothing, then each channel
/// (red, green, blue) as a plane, scaled to [0, 1] (byte x 1/255), optionally inverted.
/// </summary>
public static class Images
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    private static readonly SKColorFilter Grayscale = SKColorFilter.CreateColorMatrix(
    [
        0.3f, 0.59f, 0.11f, 0, 0,
        0.3f, 0.59f, 0.11f, 0, 0,
        0.3f, 0.59f, 0.11f, 0, 0,
        0, 0, 0, 1, 0,
    ]);

    /// <summary>A folder's image files (sorted, in its subfolders too); a file as it is.</summary>
    public static IEnumerable<string> Expand(string path)
        => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).OrderBy(f => f, StringComparer.Ordinal)
            : [path];

    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can decode completely.</exception>
    public static float[] Read(string path, (int Channels, int Height, int Width) shape, bool invert)
        => Read(File.ReadAllBytes(path), shape, invert);

    /// <exception cref="InvalidDataException">The bytes are not an image SkiaSharp can decode completely.</exception>
    public static float[] Read(byte[] bytes, (int Channels, int Height, int Width) shape, bool invert)
    {
        SKBitmap decoded;
        try
        {
            decoded = Decode(bytes, shape.Width, shape.Height);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            // A fault inside a decoder is this image's problem, never the caller's crash.
            throw new InvalidDataException($"its decoder failed ({e.GetType().Name}: {e.Message}).", e);
        }
        using var owned = decoded;
        using var gray = shape.Channels == 1 ? ToGray(decoded) : null;
        var source = gray ?? decoded;
        using var sized = source.Width == shape.Width && source.Height == shape.Height ? null : Stretch(source, shape.Width, shape.Height);
        var bitmap = sized ?? source;
        int plane = shape.Height * shape.Width;
        var values = new float[shape.Channels * plane];
        for (int y = 0; y < shape.Height; y++)
        {
            for (int x = 0; x < shape.Width; x++)
            {
                var color = bitmap.GetPixel(x, y);
                int at = y * shape.Width + x;
                if (shape.Channels == 1)
                {
                    values[at] = Scale(color.Red, invert);
                }
                else
                {
                    values[at] = Scale(color.Red, invert);
                    values[plane + at] = Scale(color.Green, invert);
                    values[2 * plane + at] = Scale(color.Blue, invert);
                }
            }
        }
        return values;
    }

    private static float Scale(byte value, bool invert) => invert ? (value - 255f) * -(1f / 255f) : value * (1f / 255f);

    /// <summary>The largest image accepted, as MLNet.ConvNet's ImageDecoding.Default: 16,384 pixels a side, 64 megapixels.</summary>
    public const int MaxSide = 16_384;

    /// <summary>The most pixels accepted.</summary>
    public const long MaxPixels = 64_000_000;

    /// <summary>
    /// Decodes the image, as the library's default ImageDecoding does: a large JPEG directly at the smallest of 1/8,
    /// 1/4 and 1/2 of its size that is still at least <paramref name="atLeastWidth"/> x <paramref name="atLeastHeight"/> once upright
    /// (the same choice: MLNet.ConvNet's Data/DecodedPixels.cs).
    /// </summary>
    private static SKBitmap Decode(byte[] bytes, int atLeastWidth, int atLeastHeight)
    {
        if (bytes.Length == 0)
            throw new InvalidDataException("the file is empty (0 bytes).");
        using var codec = SKCodec.Create(new MemoryStream(bytes), out var opened)
            ?? throw new InvalidDataException($"not an image SkiaSharp can decode (PNG, JPEG, BMP, GIF or WebP; {opened}).");
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        // Before any pixel is decoded, as the library refuses it: a decompression bomb costs only its header.
        if (info.Width > MaxSide || info.Height > MaxSide || pixels > MaxPixels)
            throw new InvalidDataException($"its header declares {info.Width:N0}x{info.Height:N0} pixels ({pixels / 1e6:N1} megapixels), more than this decoder accepts ({MaxSide:N0} pixels a side and {MaxPixels / 1e6:N1} megapixels).", new ImageTooLargeException());
        info.AlphaType = info.AlphaType == SKAlphaType.Unpremul ? SKAlphaType.Premul : info.AlphaType;
        info.ColorSpace = null;
        int orientation = (int)codec.EncodedOrigin;
        var reduced = MLNet.ConvNet.Data.DecodedPixels.ReducedSize(info.Width, info.Height, orientation, atLeastWidth, atLeastHeight, scale =>
        {
            var size = codec.GetScaledDimensions(scale);
            return (size.Width, size.Height);
        });
        var bitmap = reduced is { } size ? new SKBitmap(info.WithSize(size.Width, size.Height)) : new SKBitmap(info);
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (result != SKCodecResult.Success && reduced is not null)
        {
            // Whole, as the library falls back when a reduced decode does not succeed.
            bitmap.Dispose();
            bitmap = new SKBitmap(info);
            result = codec.GetPixels(info, bitmap.GetPixels());
        }
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new InvalidDataException($"the image is truncated or damaged ({result}): its header describes {codec.EncodedFormat} of {info.Width}x{info.Height} pixels, but not all of them decode.");
        }
        if (bitmap.ColorType is not (SKColorType.Bgra8888 or SKColorType.Rgba8888))
        {
            var converted = bitmap.Copy(SKColorType.Bgra8888);
            bitmap.Dispose();
            bitmap = converted;
        }
        if (orientation is < 2 or > 8 || bitmap.ColorType != SKColorType.Bgra8888)
            return bitmap;
        // Upright, as the library turns it (the same code: MLNet.ConvNet's Data/DecodedPixels.cs, compiled in here too).
        var upright = MLNet.ConvNet.Data.DecodedPixels.Upright(bitmap.Bytes, bitmap.Width, bitmap.Height, orientation, out int width, out int height);
        bitmap.Dispose();
        var turned = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        System.Runtime.InteropServices.Marshal.Copy(upright, 0, turned.GetPixels(), upright.Length);
        return turned;
    }

    // ImageAnalytics' own calls for its SkiaSharp: version 6 (SkiaSharp 3) samples with SKSamplingOptions and draws the
    // gray image without a filter quality; version 5.0.1 (SkiaSharp 2.88) with SKFilterQuality. The pixels differ
    // slightly between the two, so each build follows the ImageAnalytics of its stack (Directory.Build.props).
#if SKIASHARP3
    private static SKBitmap Stretch(SKBitmap image, int width, int height) => image.Resize(new SKSizeI(width, height), new SKSamplingOptions(SKFilterMode.Nearest));

    private static SKBitmap ToGray(SKBitmap image)
    {
        var gray = new SKBitmap(image.Width, image.Height, isOpaque: true);
        using var canvas = new SKCanvas(gray);
        using var paint = new SKPaint { ColorFilter = Grayscale };
        canvas.DrawBitmap(image, 0f, 0f, paint);
        return gray;
    }
#else
    private static SKBitmap Stretch(SKBitmap image, int width, int height) => image.Resize(new SKSizeI(width, height), SKFilterQuality.None);

    private static SKBitmap ToGray(SKBitmap image)
    {
        var gray = new SKBitmap(image.Width, image.Height, isOpaque: true);
        using var canvas = new SKCanvas(gray);
        using var paint = new SKPaint { ColorFilter = Grayscale, FilterQuality = SKFilterQuality.High };
        canvas.DrawBitmap(image, 0f, 0f, paint);
        return gray;
    }
#endif
}

/// <summary>The inner exception for an image whose header declares more pixels than <see cref="Images.MaxSide"/> or <see cref="Images.MaxPixels"/> allow.</summary>
public sealed class ImageTooLargeException() : Exception("The image declares more pixels than the decoder accepts.");
