using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Common.Internals;

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

    /// <summary>
    /// Lists the images under <paramref name="root"/> as a data view. A class folder without images gets a warning in
    /// the MLContext's log (its class would otherwise vanish without a word).
    /// </summary>
    /// <param name="mlContext">The context whose log gets the warnings.</param>
    /// <param name="root">The folder with one subfolder per class.</param>
    /// <param name="skipUnreadable">
    /// Decode every file now and leave out those that are empty, not images, truncated or damaged, with one warning that
    /// names each and gives their count. Defaults to false: every file is listed, and training or scoring refuses a bad
    /// one, naming it, when it reaches it (<c>ConvNetImageFeatures</c> checks each image it loads).
    /// </param>
    /// <param name="decoding">
    /// How <paramref name="skipUnreadable"/> decodes each file; pass what <c>ConvNetImageFeatures</c> gets, so that a
    /// file it would refuse (one too large, for one) is left out here. Defaults to null: <see cref="ImageDecoding.Default"/>.
    /// </param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException"><paramref name="root"/> has no class subfolders with (usable) images in them.</exception>
    public static IDataView Load(MLContext mlContext, string root, bool skipUnreadable = false, ImageDecoding? decoding = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var contents = Inspect(root, skipUnreadable, decoding);
        using (var channel = ((IHostEnvironment)mlContext).Start(nameof(ImageFolder)))
        {
            foreach (var folder in contents.EmptyClassFolders)
                ChannelLog.Warning(channel, $"The class folder '{folder}' holds no images ({string.Join(", ", ImageExtensions)}), so its class is not in the data.");
            if (contents.Unreadable.Count > 0)
            {
                ChannelLog.Warning(channel, $"Left out {contents.Unreadable.Count:N0} of {contents.Images.Count + contents.Unreadable.Count:N0} image files that cannot be used: " +
                    string.Join("; ", contents.Unreadable.Select(u => $"'{u.Path}' ({u.Problem})")) + ".");
            }
        }
        return mlContext.Data.LoadFromEnumerable(contents.Images);
    }

    /// <summary>The images under <paramref name="root"/>, as <see cref="LabelledImage"/> rows.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException"><paramref name="root"/> has no class subfolders with images in them.</exception>
    public static IReadOnlyList<LabelledImage> List(string root) => Inspect(root).Images;

    /// <summary>
    /// What <paramref name="root"/> holds: the images, the class folders without any, and, when
    /// <paramref name="decodeImages"/>, the files that cannot be used (each decoded completely to find out).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException"><paramref name="root"/> has no class subfolders with (usable) images in them.</exception>
    public static Contents Inspect(string root, bool decodeImages = false, ImageDecoding? decoding = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The image folder '{Path.GetFullPath(root)}' does not exist.");
        var rows = new List<LabelledImage>();
        var empty = new List<string>();
        foreach (var classFolder in Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal))
        {
            string label = Path.GetFileName(classFolder);
            var files = Directory.EnumerateFiles(classFolder)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new LabelledImage { Label = label, ImagePath = Path.GetFullPath(f) })
                .ToList();
            if (files.Count == 0)
                empty.Add(Path.GetFullPath(classFolder));
            rows.AddRange(files);
        }
        var unreadable = new List<UnreadableImage>();
        if (decodeImages)
        {
            var problems = new string?[rows.Count];
            Parallel.For(0, rows.Count, i => problems[i] = ImageFileCheck.Problem(rows[i].ImagePath, decoding ?? ImageDecoding.Default));
            var kept = new List<LabelledImage>(rows.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                if (problems[i] is { } problem)
                    unreadable.Add(new UnreadableImage(rows[i].ImagePath, problem));
                else
                    kept.Add(rows[i]);
            }
            rows = kept;
        }
        if (rows.Count == 0)
        {
            string usable = unreadable.Count > 0 ? $"usable images (all {unreadable.Count:N0} image files are unreadable, such as '{unreadable[0].Path}': {unreadable[0].Problem})" : "images";
            throw new InvalidDataException(
                $"The image folder '{Path.GetFullPath(root)}' has no {usable} in class subfolders. Expected one subfolder per class " +
                $"(such as '{Path.Combine(root, "7")}') holding {string.Join(", ", ImageExtensions)} files.");
        }
        return new Contents(rows, empty, unreadable);
    }

    /// <summary>One image and its class.</summary>
    public sealed class LabelledImage
    {
        /// <summary>The class: the name of the image's subfolder.</summary>
        public string Label { get; set; } = "";

        /// <summary>The image file's full path.</summary>
        public string ImagePath { get; set; } = "";
    }

    /// <summary>What an image folder holds (<see cref="Inspect"/>).</summary>
    /// <param name="Images">The images, classes and files sorted by name.</param>
    /// <param name="EmptyClassFolders">The full paths of class folders with no image files: their classes are not in <paramref name="Images"/>.</param>
    /// <param name="Unreadable">The image files that cannot be used, left out of <paramref name="Images"/>; empty unless the images were decoded.</param>
    public sealed record Contents(IReadOnlyList<LabelledImage> Images, IReadOnlyList<string> EmptyClassFolders, IReadOnlyList<UnreadableImage> Unreadable);

    /// <summary>An image file that cannot be used, and why.</summary>
    /// <param name="Path">The file's full path.</param>
    /// <param name="Problem">What is wrong, such as "it is truncated or damaged: ...".</param>
    public sealed record UnreadableImage(string Path, string Problem);
}
