using Microsoft.ML;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Lists image files laid out one subfolder per class, as Keras' <c>image_dataset_from_directory</c> reads
/// them: <c>root/7/a.png</c> is an image of class "7". The data view has two text columns, <c>Label</c>
/// (the subfolder's name) and <c>ImagePath</c> (the full path), in a stable order: classes and files sorted
/// by name.
/// </summary>
public static class ImageFolder
{
    /// <summary>The file endings read as images: those ImageAnalytics decodes.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>Lists the images under <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException"><paramref name="root"/> has no class subfolders with images in them.</exception>
    public static IDataView Load(MLContext mlContext, string root)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(List(root));
    }

    /// <summary>The images under <paramref name="root"/>, as <see cref="LabelledImage"/> rows.</summary>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static IReadOnlyList<LabelledImage> List(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The image folder '{Path.GetFullPath(root)}' does not exist.");
        var rows = new List<LabelledImage>();
        foreach (var classFolder in Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal))
        {
            string label = Path.GetFileName(classFolder);
            rows.AddRange(Directory.EnumerateFiles(classFolder)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new LabelledImage { Label = label, ImagePath = Path.GetFullPath(f) }));
        }
        if (rows.Count == 0)
        {
            throw new InvalidDataException(
                $"The image folder '{Path.GetFullPath(root)}' has no images in class subfolders. Expected one subfolder per class " +
                $"(such as '{Path.Combine(root, "7")}') holding {string.Join(", ", ImageExtensions)} files.");
        }
        return rows;
    }

    /// <summary>One image and its class.</summary>
    public sealed class LabelledImage
    {
        /// <summary>The class: the name of the image's subfolder.</summary>
        public string Label { get; set; } = "";

        /// <summary>The image file's full path.</summary>
        public string ImagePath { get; set; } = "";
    }
}
