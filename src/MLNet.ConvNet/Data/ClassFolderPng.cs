using Microsoft.ML.Data;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Data;

/// <summary>Writes one image as a PNG file in the class-folder layout <see cref="ImageFolder"/> reads: <c>root/class/name.png</c>.</summary>
internal static class ClassFolderPng
{
    /// <param name="root">The folder that holds one subfolder per class; created if missing.</param>
    /// <param name="className">The class, which names the subfolder.</param>
    /// <param name="fileName">The file's name, without the extension.</param>
    /// <param name="width">The image's width in pixels.</param>
    /// <param name="height">The image's height in pixels.</param>
    /// <param name="bgra">Blue, green, red and alpha bytes of every pixel, row after row.</param>
    public static void Write(string root, string className, string fileName, int width, int height, byte[] bgra)
    {
        string folder = Path.Combine(root, className);
        Directory.CreateDirectory(folder);
        // MLImage picks the encoder from the extension, so the temporary name ends in .png too.
        AtomicFile.Write(Path.Combine(folder, fileName + ".png"), temporary =>
        {
            using var image = MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, bgra);
            image.Save(temporary);
            return true;
        }, extension: ".png");
    }
}
