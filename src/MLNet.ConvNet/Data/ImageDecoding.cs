using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Data;

/// <summary>
/// How image files and bytes are decoded, the same way in training, scoring, <see cref="ImageBytes.Decode"/> and the
/// serving samples: how large an image may declare itself before it is decoded, whether the EXIF orientation is
/// applied, and what shows through transparent pixels. <c>ConvNetImageFeatures</c> saves these settings in the model,
/// so a loaded model decodes as it was trained.
/// </summary>
public sealed record ImageDecoding
{
    /// <summary>The defaults: at most 16,384 pixels a side and 64 megapixels, EXIF orientation applied, black behind transparency.</summary>
    public static ImageDecoding Default { get; } = new();

    /// <summary>
    /// What models saved before these settings existed decode with: the same limits, but the orientation left as
    /// stored, as those models were trained.
    /// </summary>
    internal static ImageDecoding Legacy { get; } = new() { ApplyOrientation = false, ReducedScale = false };

    private readonly int _maxSide = 16_384;
    private readonly long _maxPixels = 64_000_000;

    /// <summary>
    /// The largest width or height an image may declare in its header; a larger one is refused before any pixel is
    /// decoded. Defaults to 16,384 (WebP's own limit is 16,383; the largest phone and camera photos are about 8,000 to
    /// 12,000 pixels wide).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int MaxSide
    {
        get => _maxSide;
        init => _maxSide = Ranges.Check(value, value > 0, nameof(MaxSide), "at least 1 pixel");
    }

    /// <summary>
    /// The most pixels (width times height) an image may declare; a larger one is refused before any pixel is decoded.
    /// Defaults to 64,000,000: a 48- or 50-megapixel photo passes, and decoding one needs at most 256 MB; a 20,000 x
    /// 20,000 decompression bomb (400 megapixels, 1.6 GB decoded, from a file of a few hundred kilobytes) does not.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public long MaxPixels
    {
        get => _maxPixels;
        init => _maxPixels = Ranges.Check(value, value > 0, nameof(MaxPixels), "at least 1 pixel");
    }

    /// <summary>
    /// Whether to turn the image upright as its EXIF orientation says (all eight values), as every image viewer shows
    /// a phone photo. Defaults to true; false keeps the pixels in the order they are stored.
    /// </summary>
    public bool ApplyOrientation { get; init; } = true;

    /// <summary>
    /// The colour transparent and partly transparent pixels are composited onto. Defaults to black, which is what the
    /// decoders' premultiplied pixels gave before this setting existed, so earlier models see the same pixels.
    /// </summary>
    public ImageBackground Background { get; init; } = ImageBackground.Black;

    /// <summary>
    /// Whether a large JPEG (or WebP) is decoded directly at 1/8, 1/4 or 1/2 of its size, the smallest of those that is
    /// still at least the network's input size, rather than whole and then shrunk: a 12-megapixel photo for a 224x224
    /// network decodes at 500x375, several times faster (bench/large-photos). Defaults to true. The codec's reduced
    /// decode averages the pixels it leaves out, so the network sees slightly different (smoother) pixels than
    /// ImageAnalytics' <c>LoadImages</c> gives; false decodes every image whole, exactly as <c>LoadImages</c>.
    /// Only <c>ConvNetImageFeatures</c> knows the input size: it saves it with these settings, so that
    /// <c>ImageBytes.Decode(bytes, model.ImageDecodingOf())</c> decodes a request as training decoded a file.
    /// </summary>
    public bool ReducedScale { get; init; } = true;

    /// <summary>
    /// The smallest size (upright) a reduced-scale decode may give: the network's input, set by
    /// <c>ConvNetImageFeatures</c>; null decodes whole.
    /// </summary>
    internal (int Width, int Height)? AtLeast { get; init; }

    /// <summary>These settings for a network that takes <paramref name="width"/> x <paramref name="height"/> images.</summary>
    internal ImageDecoding For(int width, int height) => ReducedScale ? this with { AtLeast = (width, height) } : this;

    /// <summary>Why an image that declares <paramref name="width"/> x <paramref name="height"/> pixels is refused, or null.</summary>
    internal string? Refuses(long width, long height)
    {
        long pixels = width * height;
        if (width <= MaxSide && height <= MaxSide && pixels <= MaxPixels)
            return null;
        return $"its header declares {width:N0}x{height:N0} pixels ({pixels / 1e6:N1} megapixels), more than this decoder accepts " +
            $"({MaxSide:N0} pixels a side and {MaxPixels / 1e6:N1} megapixels: ImageDecoding.MaxSide and MaxPixels)";
    }
}
