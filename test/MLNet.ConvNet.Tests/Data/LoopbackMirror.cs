using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>
/// A small HTTP server on 127.0.0.1 that serves ../shared/data/mnist under the official names, in four
/// behaviours chosen by the first path segment: /good/ serves the files, /corrupt/ flips one byte,
/// /cut/ promises the whole file and closes the connection half way, /missing/ answers 404.
/// Nothing leaves the loopback interface.
/// </summary>
internal sealed class LoopbackMirror : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _directory;
    private readonly Task _loop;

    public LoopbackMirror(string directory)
    {
        _directory = directory;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public int Port { get; }

    /// <summary>Every request, as "behaviour/file".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public Uri Mirror(string behaviour) => new($"http://127.0.0.1:{Port}/{behaviour}/");

    /// <summary>A loopback URL on which nothing listens.</summary>
    public static Uri Closed() => new($"http://127.0.0.1:{FreePort()}/mnist/");

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try { Respond(context); }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException) { }
        }
    }

    private void Respond(HttpListenerContext context)
    {
        var parts = context.Request.Url.AbsolutePath.Trim('/').Split('/');
        string behaviour = parts[0], file = parts.Length > 1 ? parts[1] : "";
        Requests.Enqueue($"{behaviour}/{file}");
        string path = Path.Combine(_directory, file);
        var response = context.Response;
        if (behaviour == "missing" || !File.Exists(path))
        {
            response.StatusCode = 404;
            response.Close();
            return;
        }
        byte[] bytes = File.ReadAllBytes(path);
        if (behaviour == "corrupt")
            bytes[bytes.Length / 2] ^= 0xFF;
        response.ContentLength64 = bytes.Length;
        if (behaviour == "cut")
        {
            response.OutputStream.Write(bytes, 0, bytes.Length / 2);
            response.OutputStream.Flush();
            response.Abort();
            return;
        }
        response.OutputStream.Write(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
