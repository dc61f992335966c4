
namespace MLNet.ConvNet.Data;

/// <summary>
/// Writes MNIST records as grayscale PNG files in the class-folder layout <see cref="ImageFolder"/> reads:
/// <c>output/7/test-00000.png</c>. PNG is lossless, so the files hold exactly the IDX bytes.
/// </summary>
public static class MnistPngExporter
{
    /// <summary>Writes every record of <paramref name="data"/>; returns the number of files written.</summary>
    /// <param name="data">The records, from <see cref="MnistDataset.ReadSplit"/>.</param>
    /// <param name="outputDirectory">The folder that receives one subfolder per digit; created if missing.</param>
    /// <param name="prefix">The start of every file name, such as "test". Defaults to "mnist".</param>
    /// <param name="cancellation">Stops between files. Defaults to none.</param>
    public static int Export(MnistData data, string outputDirectory, string prefix = "mnist", CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var images = data.Images;
        var bgra = new byte[images.PixelsPerImage * 4];
        for (int i = 0; i < data.Labels.Length; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var pixels = images.Pixels.AsSpan(i * images.PixelsPerImage, images.PixelsPerImage);
            for (int p = 0; p < pixels.Length; p++)
            {
                bgra[4 * p] = bgra[4 * p + 1] = bgra[4 * p + 2] = pixels[p];
                bgra[4 * p + 3] = 255;
            }
            ClassFolderPng.Write(outputDirectory, data.Labels[i].ToString(), $"{prefix}-{i:D5}", images.Columns, images.Rows, bgra);
        }
        return data.Labels.Length;
    }
}
