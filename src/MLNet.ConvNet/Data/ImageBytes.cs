using Microsoft.ML.Data;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Images that arrive as bytes (a web request's body, a database blob) rather than as files: decoded completely, as
/// <c>ConvNetImageFeatures</c> decodes its files, into ML.NET's <see cref="MLImage"/>, for a model made with
/// <c>ForInMemoryImages</c>. No temporary file is written.
/// </summary>
public static class ImageBytes
{
    /// <summary>The image <paramref name="bytes"/> hold (PNG, JPEG, BMP, GIF or WebP), with the pixels ImageAnalytics gives the same file.</summary>
    /// <exception cref="InvalidDataException">The bytes are empty, not an image, truncated or damaged; the message says which.</exception>
    public static MLImage Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var problem = ImageFileCheck.Decode(bytes, out var image);
        return problem is null ? image! : throw new InvalidDataException($"The image cannot be used: {problem}.");
    }
}
