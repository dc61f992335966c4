using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Loads MNIST from IDX files into an <see cref="IDataView"/> with two columns: <c>Label</c>, a key over
/// the ten values "0" to "9", and <c>Features</c>, 784 floats in [0, 1] (pixel / 255, row-major).
/// </summary>
public static class MnistDataset
{
    /// <summary>The environment variable read when no folder is given.</summary>
    public const string DataEnvironmentVariable = "MNIST_DATA";

    /// <summary>The name of the label column.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>The name of the features column.</summary>
    public const string FeaturesColumnName = "Features";

    /// <summary>
    /// The factor that maps a byte pixel to [0, 1]. Multiplying (not dividing by 255) gives exactly the floats
    /// ImageAnalytics' ExtractPixels produces with this scale, so IDX records and PNG files of the same digit
    /// reach the network as identical features.
    /// </summary>
    public const float PixelScale = 1f / 255f;

    /// <summary>The class names, in key order: key 1 is "0", key 10 is "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();

    /// <summary>
    /// Loads one split. The files are found, in this order: in <paramref name="dataDirectory"/>; in the folder
    /// the <c>MNIST_DATA</c> environment variable names; in the cache folder of <paramref name="source"/>; else
    /// they are downloaded into that cache from its mirrors and checked against its SHA-256 checksums. A folder
    /// you name is read as it is, without checksums, so subsets work too.
    /// </summary>
    /// <param name="mlContext">The ML.NET context; download progress goes to its log.</param>
    /// <param name="dataDirectory">A folder with the IDX files (gzip-compressed or not). Defaults to null: look further.</param>
    /// <param name="split">Which files to read.</param>
    /// <param name="maxRows">Read only the first this many records; null reads all. Defaults to null.</param>
    /// <param name="source">Mirrors, cache folder and checksums for the download. Defaults to null: the public mirrors and the per-user cache.</param>
    /// <param name="cancellation">Cancels a download. Defaults to none.</param>
    /// <exception cref="DirectoryNotFoundException">The folder given, or the one <c>MNIST_DATA</c> names, does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder lacks one of the split's files.</exception>
    /// <exception cref="MnistNotFoundException">No folder was given, and the files are neither cached nor downloadable; the message lists every place and mirror tried.</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX, or images and labels disagree.</exception>
    public static IDataView Load(MLContext mlContext, string? dataDirectory, MnistSplit split, int? maxRows = null, MnistSource? source = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        string directory = Locate(mlContext, dataDirectory, split, source, cancellation);
        return new MnistDataView(ReadSplit(directory, split, maxRows));
    }

    /// <summary>
    /// MNIST records already in memory (from <see cref="ReadSplit"/>, a subset of them, or generated digits) as a data
    /// view with the same columns as <see cref="Load(MLContext, string?, MnistSplit, int?, MnistSource?, CancellationToken)"/>'s.
    /// </summary>
    /// <exception cref="ArgumentException">The images and labels disagree in number, or a label is not a digit.</exception>
    public static IDataView Load(MLContext mlContext, MnistData data)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Images.Count != data.Labels.Length || data.Images.Pixels.Length != (long)data.Images.Count * data.Images.PixelsPerImage)
            throw new ArgumentException($"Expected one label per image and {data.Images.PixelsPerImage} pixels per image; got {data.Images.Count} images, {data.Labels.Length} labels and {data.Images.Pixels.Length} pixels.", nameof(data));
        if (data.Labels.FirstOrDefault(l => l > 9) is > 9 and var bad)
            throw new ArgumentException($"MNIST labels are the digits 0 to 9; got {bad}.", nameof(data));
        return new MnistDataView(data);
    }

    /// <summary>
    /// Finds, or downloads, the folder that holds one split's files, in the order <see cref="Load(MLContext, string?, MnistSplit, int?, MnistSource?, CancellationToken)"/> describes,
    /// and returns it.
    /// </summary>
    /// <inheritdoc cref="Load(MLContext, string?, MnistSplit, int?, MnistSource?, CancellationToken)" path="/param|/exception"/>
    public static string Locate(MLContext mlContext, string? dataDirectory, MnistSplit split, MnistSource? source = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!string.IsNullOrWhiteSpace(dataDirectory))
            return ExistingDirectory(dataDirectory, "The MNIST folder");
        string? fromEnvironment = Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return ExistingDirectory(fromEnvironment, $"The MNIST folder named by {DataEnvironmentVariable}");

        source ??= new MnistSource();
        string prefix = Prefix(split);
        var files = new[] { $"{prefix}-images-idx3-ubyte.gz", $"{prefix}-labels-idx1-ubyte.gz" };
        var downloader = new MnistDownloader(mlContext, source);
        string? cache = downloader.TryFill(files, cancellation);
        if (cache is not null)
            return cache;

        cancellation.ThrowIfCancellationRequested();
        throw new MnistNotFoundException(
            $"MNIST {split} files could not be found or downloaded. Looked in: no folder argument; {DataEnvironmentVariable} not set; " +
            $"the cache folder '{Path.GetFullPath(source.CacheDirectory)}'. Tried: {string.Join("; ", downloader.Attempts)}. " +
            $"Pass a folder that holds {string.Join(" and ", files)} (or their uncompressed forms) to MnistDataset.Load, or set {DataEnvironmentVariable} to one.");
    }

    /// <summary>
    /// Reads one split's images and labels from a folder (or the one <c>MNIST_DATA</c> names) into memory,
    /// checking that they agree. Never downloads; use <see cref="Locate"/> for that.
    /// </summary>
    /// <param name="dataDirectory">The folder with the IDX files; null reads <c>MNIST_DATA</c>.</param>
    /// <param name="split">Which files to read.</param>
    /// <param name="maxRows">Read only the first this many records; null reads all. Defaults to null.</param>
    public static MnistData ReadSplit(string? dataDirectory, MnistSplit split, int? maxRows = null)
    {
        if (maxRows is <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "maxRows must be positive, or null to read every record.");
        string? directory = string.IsNullOrWhiteSpace(dataDirectory) ? Environment.GetEnvironmentVariable(DataEnvironmentVariable) : dataDirectory;
        if (string.IsNullOrWhiteSpace(directory))
            throw new DirectoryNotFoundException($"No MNIST folder given: pass one, or set the {DataEnvironmentVariable} environment variable to a folder with the four IDX files.");
        directory = ExistingDirectory(directory, "The MNIST folder");
        string prefix = Prefix(split);
        var images = IdxReader.ReadImages(FindFile(directory, $"{prefix}-images-idx3-ubyte"));
        string labelsPath = FindFile(directory, $"{prefix}-labels-idx1-ubyte");
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new InvalidDataException($"The {split} images and labels in '{directory}' disagree: {images.Count:N0} images but {labels.Length:N0} labels.");
        int bad = Array.FindIndex(labels, l => l > 9);
        if (bad >= 0)
            throw new InvalidDataException($"'{labelsPath}' holds label {labels[bad]} at record {bad}; MNIST labels are digits 0 to 9.");

        if (maxRows is int take && take < images.Count)
        {
            images = images with { Count = take, Pixels = images.Pixels[..(take * images.PixelsPerImage)] };
            labels = labels[..take];
        }
        return new MnistData(images, labels);
    }

    private static string Prefix(MnistSplit split) => split == MnistSplit.Train ? "train" : "t10k";

    private static string ExistingDirectory(string directory, string what)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{what} '{Path.GetFullPath(directory)}' does not exist.");
        return directory;
    }

    private static string FindFile(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException($"The MNIST folder '{Path.GetFullPath(directory)}' has neither '{name}.gz' nor '{name}'.", Path.Combine(directory, name + ".gz"));
    }
}
