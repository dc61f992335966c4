using Microsoft.ML.Data;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Images that arrive as bytes (a web request's body, a database blob) rather than as files: decoded completely, as
/// <c>ConvNetImageFeatures</c> decodes its files, into ML.NET's <see cref="MLImage"/>, for a model made with
/// <c>ForInMemoryImages</c>. No temporary file is written.
/// </summary>
public static class ImageBytes
{
    /// <summary>
    /// The image <paramref name="bytes"/> hold (PNG, JPEG, BMP, GIF or WebP), with the pixels ImageAnalytics gives the
    /// same file, decoded as <paramref name="decoding"/> says (size limits, EXIF orientation, background). Use the
    /// model's own settings, <see cref="ImageScoring.ImageDecodingOf"/>, so that a request decodes as training did.
    /// </summary>
    /// <param name="bytes">The encoded image.</param>
    /// <param name="decoding">How to decode. Defaults to null: <see cref="ImageDecoding.Default"/>.</param>
    /// <exception cref="InvalidDataException">
    /// The bytes are empty, not an image, truncated or damaged, or declare more pixels than <paramref name="decoding"/>
    /// accepts (then nothing was decoded, and the inner exception is an <see cref="ImageTooLargeException"/>); the message says which.
    /// </exception>
    public static MLImage Decode(byte[] bytes, ImageDecoding? decoding = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var problem = ImageFileCheck.Decode(bytes, decoding ?? ImageDecoding.Default, out var image, out bool tooLarge);
        if (problem is null)
            return image!;
        string message = $"The image cannot be used: {problem}.";
        throw tooLarge ? new InvalidDataException(message, new ImageTooLargeException(problem)) : new InvalidDataException(message);
    }
}
