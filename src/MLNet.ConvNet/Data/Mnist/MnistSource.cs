using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Where <see cref="MnistDataset"/> downloads MNIST from and keeps it, like
/// <c>keras.datasets.mnist.load_data()</c>. The defaults are the well-known public mirrors, the official
/// SHA-256 checksums and a per-user cache folder.
/// </summary>
public sealed class MnistSource
{
    /// <summary>The official files and their SHA-256, as published with the dataset.</summary>
    public static IReadOnlyDictionary<string, string> OfficialChecksums { get; } = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte.gz"] = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ["train-labels-idx1-ubyte.gz"] = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ["t10k-images-idx3-ubyte.gz"] = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ["t10k-labels-idx1-ubyte.gz"] = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    };

    /// <summary>Public mirrors of the official files, tried in order.</summary>
    public static IReadOnlyList<Uri> PublicMirrors { get; } =
    [
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
        new("http://yann.lecun.com/exdb/mnist/"),
    ];

    /// <summary>The per-user cache: $XDG_CACHE_HOME/mlnet-convnet/mnist, or the local application data folder.</summary>
    public static string DefaultCacheDirectory => UserCache.Directory("mnist");

    /// <summary>Mirrors to try, in order; each is a folder URL that holds the files under their official names. Defaults to <see cref="PublicMirrors"/>.</summary>
    public IReadOnlyList<Uri> Mirrors { get; init; } = PublicMirrors;

    /// <summary>Where downloaded files are kept and looked for. Defaults to <see cref="DefaultCacheDirectory"/>.</summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory;

    /// <summary>The SHA-256 (lower-case hex) every downloaded or cached file must have. Defaults to <see cref="OfficialChecksums"/>.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = OfficialChecksums;

    /// <summary>How long one file's download may take before the mirror counts as failed. Defaults to 5 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether to download when the cache lacks a file. Defaults to true.</summary>
    public bool AllowDownload { get; init; } = true;
}
