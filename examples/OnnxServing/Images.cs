using SkiaSharp;

namespace OnnxServing;

/// <summary>
/// Image files to the pixels the network takes: decoded, turned to gray, resized to the model's size, and scaled to
/// [0, 1] exactly as MLNet.ConvNet scales pixels (byte x 1/255), so an exported MNIST PNG gives the IDX features.
/// </summary>
public static class Images
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>A folder's image files (sorted, in its subfolders too); a file as it is.</summary>
    public static IEnumerable<string> Expand(string path)
        => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).OrderBy(f => f, StringComparer.Ordinal)
            : [path];

    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can decode.</exception>
    public static float[] Read(string path, int width, int height, bool invert)
    {
        using var decoded = SKBitmap.Decode(path) ?? throw new InvalidDataException("not an image SkiaSharp can decode (PNG, JPEG, BMP, GIF or WebP).");
        using var sized = decoded.Width == width && decoded.Height == height ? null : decoded.Resize(new SKImageInfo(width, height), SKFilterQuality.High);
        var bitmap = sized ?? decoded;
        var pixels = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var color = bitmap.GetPixel(x, y);
                // ITU-R 601 luma, as ImageAnalytics' ConvertToGrayscale; equal channels (MNIST PNGs) stay as they are.
                byte gray = color.Red == color.Green && color.Green == color.Blue ? color.Red
                    : (byte)Math.Clamp(Math.Round(0.299 * color.Red + 0.587 * color.Green + 0.114 * color.Blue), 0, 255);
                pixels[y * width + x] = (invert ? 255 - gray : gray) * (1f / 255f);
            }
        }
        return pixels;
    }
}
