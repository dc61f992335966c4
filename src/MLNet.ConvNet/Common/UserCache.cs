namespace MLNet.ConvNet.Common;

/// <summary>The library's per-user cache folder, where downloads and patched native libraries are kept.</summary>
internal static class UserCache
{
    /// <summary>
    /// <c>$XDG_CACHE_HOME/mlnet-convnet/...</c> when that variable is set; else the local application data folder on
    /// Windows and <c>~/.cache</c> elsewhere, then <c>mlnet-convnet/...</c>. Nothing is created.
    /// </summary>
    /// <param name="parts">Subfolders below <c>mlnet-convnet</c>, such as "mnist".</param>
    public static string Directory(params string[] parts)
    {
        string? root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(root))
        {
            root = OperatingSystem.IsWindows()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine([root, "mlnet-convnet", .. parts]);
    }
}
