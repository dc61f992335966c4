namespace MLNet.ConvNet.Data;

/// <summary>
/// What happens to decoded pixels (32 bits each, blue, green, red, alpha, premultiplied) before any model sees them:
/// the EXIF orientation applied, and transparency composited onto a background. Plain array work with no SkiaSharp
/// call, so that it behaves the same on SkiaSharp 2 and 3; examples/OnnxServing compiles this file too, so that its
/// pixels are the library's.
/// </summary>
internal static class DecodedPixels
{
    /// <summary>The scales a codec is asked to decode at, smallest first: JPEG decodes 1/8, 1/4 and 1/2 directly.</summary>
    private static readonly float[] ReducedScales = [0.125f, 0.25f, 0.5f];

    /// <summary>
    /// The size to decode an image of <paramref name="width"/> x <paramref name="height"/> stored pixels at: the smallest
    /// reduced size the codec offers (<paramref name="scaled"/>, SkiaSharp's <c>SKCodec.GetScaledDimensions</c>) that is
    /// still at least <paramref name="atLeastWidth"/> x <paramref name="atLeastHeight"/> once upright (EXIF orientation
    /// <paramref name="orientation"/> 5 to 8 swaps the sides); null when there is none, and the image is decoded whole.
    /// </summary>
    public static (int Width, int Height)? ReducedSize(int width, int height, int orientation, int atLeastWidth, int atLeastHeight, Func<float, (int Width, int Height)> scaled)
    {
        if (orientation is >= 5 and <= 8)
            (atLeastWidth, atLeastHeight) = (atLeastHeight, atLeastWidth);
        foreach (float scale in ReducedScales)
        {
            var size = scaled(scale);
            // A codec that cannot scale (PNG, GIF, BMP) answers the full size.
            if (size.Width >= width && size.Height >= height)
                return null;
            if (size.Width >= atLeastWidth && size.Height >= atLeastHeight && size.Width > 0 && size.Height > 0)
                return size;
        }
        return null;
    }

    /// <summary>
    /// The pixels turned upright as EXIF orientation <paramref name="orientation"/> (1 to 8; SkiaSharp's
    /// <c>SKEncodedOrigin</c>) says, with the upright width and height; orientation 1, or any value outside 1 to 8,
    /// returns the pixels as they are.
    /// </summary>
    public static byte[] Upright(byte[] pixels, int width, int height, int orientation, out int uprightWidth, out int uprightHeight)
    {
        bool swaps = orientation is >= 5 and <= 8;
        uprightWidth = swaps ? height : width;
        uprightHeight = swaps ? width : height;
        if (orientation is < 2 or > 8)
            return pixels;
        var upright = new byte[pixels.Length];
        int w = uprightWidth;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                // Where the stored pixel (x, y) is seen: the EXIF definitions, 2 to 8.
                var (ux, uy) = orientation switch
                {
                    2 => (width - 1 - x, y),              // mirrored left to right
                    3 => (width - 1 - x, height - 1 - y), // turned 180 degrees
                    4 => (x, height - 1 - y),             // mirrored top to bottom
                    5 => (y, x),                          // transposed
                    6 => (height - 1 - y, x),             // stored turned 90 degrees anticlockwise: turn it clockwise
                    7 => (height - 1 - y, width - 1 - x), // transversed
                    _ => (y, width - 1 - x),              // 8: stored turned 90 degrees clockwise: turn it anticlockwise
                };
                Buffer.BlockCopy(pixels, (y * width + x) * 4, upright, (uy * w + ux) * 4, 4);
            }
        }
        return upright;
    }

    /// <summary>
    /// Composites premultiplied pixels onto an opaque background, in place: each colour becomes itself plus the
    /// background times (255 - alpha) / 255, rounded, and alpha becomes 255. On black the colours stay as they are.
    /// </summary>
    public static void Composite(byte[] pixels, byte red, byte green, byte blue)
    {
        for (int i = 0; i < pixels.Length; i += 4)
        {
            int uncovered = 255 - pixels[i + 3];
            if (uncovered == 0)
                continue;
            pixels[i] = (byte)Math.Min(255, pixels[i] + (blue * uncovered + 127) / 255);
            pixels[i + 1] = (byte)Math.Min(255, pixels[i + 1] + (green * uncovered + 127) / 255);
            pixels[i + 2] = (byte)Math.Min(255, pixels[i + 2] + (red * uncovered + 127) / 255);
            pixels[i + 3] = 255;
        }
    }
}
