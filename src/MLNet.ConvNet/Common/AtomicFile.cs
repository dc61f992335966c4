namespace MLNet.ConvNet.Common;

/// <summary>
/// Writes files through a temporary file in the same folder and a rename, so a crash or an error never leaves a
/// half-written file where a reader looks: the target holds either its old content or the whole new content.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="writeTemporary"/> with the path of a new temporary file beside <paramref name="path"/>,
    /// and renames that file over <paramref name="path"/> if it returns true. The temporary file is removed in every
    /// other case, exceptions included. Returns what <paramref name="writeTemporary"/> returned.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="writeTemporary">Writes the whole content to the path it is given; false to give up without replacing anything.</param>
    /// <param name="extension">The temporary file's ending; some writers pick the format from it (".png"). Defaults to ".tmp".</param>
    public static bool Write(string path, Func<string, bool> writeTemporary, string extension = ".tmp")
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{extension}");
        try
        {
            if (!writeTemporary(temporary))
                return false;
            File.Move(temporary, full, overwrite: true);
            return true;
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, flushed to disk before the rename.</summary>
    public static void Write(string path, Action<Stream> write)
        => Write(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            write(stream);
            stream.Flush(flushToDisk: true);
            return true;
        });
}
