namespace MLNet.ConvNet.Data;

/// <summary>
/// What happens to decoded pixels (32 bits each, blue, green, red, alpha, premultiplied) before any model sees them:
/// the EXIF orientation applied, and transparency composited onto a background. Plain array work with no SkiaSharp
/// call, so that it behaves the same on SkiaSharp 2 and 3; examples/OnnxServing compiles this file too, so that its
/// pixels are the library's.
/// </summary>
internal static class DecodedPixels
{
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
