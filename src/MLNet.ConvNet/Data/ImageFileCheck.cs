using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using SkiaSharp;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Decodes an image file completely, or says why it cannot, naming the file: the check behind
/// <c>ConvNetImageFeatures</c>' image loading (training and scoring) and <see cref="ImageFolder"/>'s
/// <c>skipUnreadable</c>, and of <see cref="ImageBytes.Decode"/>. SkiaSharp, which ImageAnalytics decodes with, returns a partial picture for a file cut short
/// (the rest of it blank) without an error; here the decoder's own result says whether every pixel arrived.
/// </summary>
internal static class ImageFileCheck
{
    /// <summary>
    /// Why <paramref name="bytes"/> is not a whole, acceptable image, or null when it is; <paramref name="image"/> is the
    /// decoded image then, upright and composited as <paramref name="decoding"/> says. <paramref name="tooLarge"/> tells
    /// a refusal of the declared size (which a web API answers differently from damage) from the others.
    /// </summary>
    /// <remarks>
    /// The pixels are decoded as <c>SKBitmap.Decode</c> (and so ImageAnalytics' <c>MLImage.CreateFromStream</c>) decodes
    /// them: no colour-space conversion, premultiplied alpha, then 32 bits a pixel in blue, green, red, alpha order. The
    /// size the header declares is checked before any pixel is decoded, so a decompression bomb costs only its header.
    /// </remarks>
    public static string? Decode(byte[] bytes, ImageDecoding decoding, out MLImage? image, out bool tooLarge)
    {
        image = null;
        tooLarge = false;
        if (bytes.Length == 0)
            return "it is empty (0 bytes)";
        try
        {
            return DecodeChecked(bytes, decoding, out image, out tooLarge);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A fault inside a decoder is this image's problem, never the caller's crash.
            image?.Dispose();
            image = null;
            return $"its decoder failed ({e.GetType().Name}: {e.Message}; {bytes.Length:N0} bytes)";
        }
    }

    private static string? DecodeChecked(byte[] bytes, ImageDecoding decoding, out MLImage? image, out bool tooLarge)
    {
        image = null;
        tooLarge = false;
        using var codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out var opened);
        if (codec is null)
            return $"it is not an image SkiaSharp can decode ({Describe(opened)}; {bytes.Length:N0} bytes, starting {Convert.ToHexString(bytes, 0, Math.Min(8, bytes.Length))})";
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0)
            return $"its header gives a size of {width}x{height} pixels";
        if (decoding.Refuses(width, height) is { } refusal)
        {
            tooLarge = true;
            return $"{refusal}; {bytes.Length:N0} bytes";
        }
        int orientation = (int)codec.EncodedOrigin;
        if (decoding.AtLeast is { } atLeast
            && DecodedPixels.ReducedSize(width, height, decoding.ApplyOrientation ? orientation : 1, atLeast.Width, atLeast.Height, Scaled(codec)) is { } reduced
            && GetPixels(codec, reduced.Width, reduced.Height, out var reducedPixels) == SKCodecResult.Success)
        {
            return Finish(reducedPixels, reduced.Width, reduced.Height, orientation, decoding, out image);
        }
        var decoded = GetPixels(codec, width, height, out var pixels);
        if (decoded != SKCodecResult.Success)
        {
            return decoded is SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput
                ? $"it is truncated or damaged: its header describes a {codec.EncodedFormat} of {width}x{height} pixels, but not all of them decode ({Describe(decoded)}; {bytes.Length:N0} bytes)"
                : $"its {codec.EncodedFormat} pixels do not decode ({Describe(decoded)})";
        }
        return Finish(pixels, width, height, orientation, decoding, out image);
    }

    /// <summary>SkiaSharp's reduced sizes for <paramref name="codec"/>, as <see cref="DecodedPixels.ReducedSize"/> asks for them.</summary>
    internal static Func<float, (int Width, int Height)> Scaled(SKCodec codec) => scale =>
    {
        var size = codec.GetScaledDimensions(scale);
        return (size.Width, size.Height);
    };

    /// <summary>Decodes the image at <paramref name="width"/> x <paramref name="height"/> (its size, or a reduced size the codec offers).</summary>
    private static SKCodecResult GetPixels(SKCodec codec, int width, int height, out byte[] pixels)
    {
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        // Into managed memory rather than an SKBitmap: SKBitmap.GetPixelSpan returns ReadOnlySpan in SkiaSharp 2.88 and
        // Span in 3, so code built against one fails on the other with MissingMethodException (SkiaSharpCallTests).
        pixels = new byte[checked(width * height * 4)];
        var pinned = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            return codec.GetPixels(info, pinned.AddrOfPinnedObject());
        }
        finally
        {
            pinned.Free();
        }
    }

    private static string? Finish(byte[] pixels, int width, int height, int orientation, ImageDecoding decoding, out MLImage image)
    {
        if (decoding.ApplyOrientation)
            pixels = DecodedPixels.Upright(pixels, width, height, orientation, out width, out height);
        if (decoding.Background != ImageBackground.Black)
            DecodedPixels.Composite(pixels, decoding.Background.Red, decoding.Background.Green, decoding.Background.Blue);
        image = MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, pixels);
        return null;
    }

    /// <summary>Why the file at <paramref name="path"/> is not a whole image (including that it cannot be read), or null when it is.</summary>
    public static string? Problem(string path, ImageDecoding decoding)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"it cannot be read ({e.Message})";
        }
        var problem = Decode(bytes, decoding, out var image, out _);
        image?.Dispose();
        return problem;
    }

    /// <summary>The refusal for one file, naming it, what is wrong and what to do.</summary>
    public static InvalidDataException Refusal(string path, string problem, bool tooLarge = false)
    {
        string message = $"The image file '{path}' cannot be used: {problem}. Replace or remove the file (ImageFolder.Load(mlContext, folder, skipUnreadable: true) leaves such files out, with a warning).";
        return tooLarge ? new InvalidDataException(message, new ImageTooLargeException(problem)) : new InvalidDataException(message);
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the data ends early",
        SKCodecResult.ErrorInInput => "the data is damaged",
        SKCodecResult.Unimplemented => "not a format SkiaSharp decodes",
        SKCodecResult.InvalidInput => "not a known image format",
        _ => result.ToString(),
    };
}
