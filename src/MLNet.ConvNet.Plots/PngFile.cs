using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>Writes PNG files whole or not at all: to a temporary file beside the target, then a rename.</summary>
internal static class PngFile
{
    public static void Write(SKBitmap bitmap, string path)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width}x{bitmap.Height} PNG for '{path}'.");
        Write(path, stream => data.SaveTo(stream));
    }

    /// <summary>Runs <paramref name="write"/> on a temporary file and moves it to <paramref name="path"/> when it succeeded.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = File.Create(temporary))
                write(stream);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
