using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Common.Internals;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Fills the cache folder with one split's files: a file already there with the right checksum is used as
/// it is; a missing or damaged one is downloaded from each mirror in turn, hashed as it arrives, and moved
/// into place only once its checksum matches, so the cache never holds a half-written file.
/// </summary>
internal sealed class MnistDownloader
{
    private readonly MnistSource _source;
    private readonly IHost _host;
    private readonly List<string> _attempts = new();

    public MnistDownloader(IHostEnvironment env, MnistSource source)
    {
        _source = source;
        _host = env.Register(nameof(MnistDataset));
    }

    /// <summary>Every place tried and why it failed, for the error message.</summary>
    public IReadOnlyList<string> Attempts => _attempts;

    /// <summary>Returns the cache folder once it holds <paramref name="files"/> with their checksums, or null.</summary>
    public string? TryFill(IEnumerable<string> files, CancellationToken cancellation)
    {
        using var channel = _host.Start("Download");
        foreach (var file in files)
        {
            if (!_source.Checksums.TryGetValue(file, out var expected))
            {
                _attempts.Add($"{file}: no checksum is configured for it, so it cannot be verified");
                return null;
            }
            string target = Path.Combine(_source.CacheDirectory, file);
            if (File.Exists(target))
            {
                if (Sha256Of(target) == expected)
                    continue;
                ChannelLog.Warning(channel, $"'{target}' does not match its SHA-256; downloading it again.");
            }
            if (!_source.AllowDownload)
            {
                _attempts.Add($"{file}: not in the cache and downloading is turned off");
                return null;
            }
            if (!Download(channel, file, expected, target, cancellation))
                return null;
        }
        return _source.CacheDirectory;
    }

    private bool Download(IChannel channel, string file, string expected, string target, CancellationToken cancellation)
    {
        Directory.CreateDirectory(_source.CacheDirectory);
        foreach (var mirror in _source.Mirrors)
        {
            var url = new Uri(mirror, file);
            try
            {
                ChannelLog.Info(channel, $"Downloading {url}");
                bool verified = AtomicFile.Write(target, temporary =>
                {
                    string actual = Fetch(url, temporary, cancellation);
                    if (actual == expected)
                        return true;
                    _attempts.Add($"{url}: SHA-256 {actual} does not match the expected {expected}");
                    return false;
                }, extension: ".download");
                if (!verified)
                    continue;
                ChannelLog.Info(channel, $"Verified and saved '{target}'.");
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or UnauthorizedAccessException && !cancellation.IsCancellationRequested)
            {
                _attempts.Add($"{url}: {Describe(e)}");
            }
        }
        return false;
    }

    private string Fetch(Uri url, string temporary, CancellationToken cancellation)
    {
        using var client = new HttpClient { Timeout = _source.Timeout };
        using var response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        long? length = response.Content.Headers.ContentLength;
        using var input = response.Content.ReadAsStream(cancellation);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            var buffer = new byte[81920];
            int read;
            try
            {
                while ((read = input.Read(buffer)) > 0)
                {
                    output.Write(buffer, 0, read);
                    hash.AppendData(buffer, 0, read);
                    received += read;
                }
            }
            catch (IOException e) when (e is not FileNotFoundException)
            {
                throw new IOException($"the connection broke after {received:N0} of {(length is long l ? l.ToString("N0") : "an unknown number of")} bytes ({e.Message})", e);
            }
        }
        if (length is long expectedLength && received != expectedLength)
            throw new IOException($"the connection broke after {received:N0} of {expectedLength:N0} bytes");
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    internal static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static string Describe(Exception e)
    {
        // Our own IOException already quotes its cause; for the rest, the inner messages add the detail.
        return e is IOException { InnerException: IOException } ? e.Message : string.Join(": ", ExceptionChain.Messages(e));
    }
}
