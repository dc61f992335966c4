using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ServingFuzz;
using SkiaSharp;

namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// examples/ServingApi as its own process, on each engine, under the fuzz-and-bomb mix bench/serving-load.sh sends
/// (bench/ServingFuzz/FuzzMix.cs): every good request answered 200 with its label while bombs, truncations at every
/// offset, bit flips and random bodies arrive four at a time, each of those a 4xx (200 only where the body is still a
/// whole image), no 5xx; and the server's peak resident memory rises by less than 50 MiB for the two bombs of issue 27
/// (PNGs declaring 20,000 and 40,000 pixels a side, which took 8 GB before they were refused from their headers) and
/// by less than 150 MiB over the whole mix.
/// </summary>
[TestClass]
[TestCategory("Integration")]
public sealed class ServingFuzzTests
{
    public static IEnumerable<object[]> Engines => [["zip"], ["onnx"]];

    [TestMethod]
    [DynamicData(nameof(Engines))]
    public async Task TheFuzzAndBombMix_Gets4xxOnly_WhileGoodRequestsAreAnswered_AndMemoryStaysFlat(string engine)
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("The server's resident memory is read from /proc (Linux).");
        var served = ServedModels.Shared;
        string model = engine == "zip" ? served.ImagePathZip : served.FeaturesOnnx;
        string image = served.Digits[1];
        var scores = engine == "zip" ? served.ImagePathScores[image] : served.FeaturesScores[image];
        byte[] good = File.ReadAllBytes(image);
        var mix = FuzzMix.Make(good, SmallJpeg());

        using var server = Start(model, out var url);
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var classes = (await client.GetFromJsonAsync<ServingApiTests.Health>(new Uri(url, "/health"))).Classes;
        string label = classes[Array.IndexOf(scores, scores.Max())];

        // The two bombs alone first, with the peak reset to the present level.
        var (before, _) = FuzzMix.Memory(server.Process.Id);
        FuzzMix.ResetPeak(server.Process.Id);
        var bombs = await FuzzMix.Alone(client, url, mix.Where(m => m.Name is "PNG 20,000 x 20,000" or "PNG 40,000 x 40,000"));
        var (_, peak) = FuzzMix.Memory(server.Process.Id);
        foreach (var (name, status, _, message) in bombs)
        {
            Assert.AreEqual(422, status, $"{name}: {message}");
            StringAssert.Contains(message, name.Contains("20,000") ? "declares 20,000x20,000 pixels" : "declares 40,000x40,000 pixels");
        }
        Assert.IsLessThan(50 * 1024, peak - before, $"the bombs raised the server's peak resident memory from {before:N0} to {peak:N0} KiB");

        FuzzMix.ResetPeak(server.Process.Id);
        var (start, _) = FuzzMix.Memory(server.Process.Id);
        var report = await FuzzMix.Run(client, url, good, label, mix);
        var (_, mixPeak) = FuzzMix.Memory(server.Process.Id);
        Assert.IsEmpty(report.WrongAnswers, string.Join("\n", report.WrongAnswers.Take(10)));
        Assert.IsGreaterThan(10, report.GoodRequests, "good requests kept flowing during the mix");
        Assert.AreEqual(0, report.GoodFailures, string.Join("\n", report.GoodFailureNotes));
        Assert.AreEqual(mix.Count, report.ByKind.Values.Sum(c => c.Sent));
        // Cut after its last pixel (in PNG's checksums or end marker), a file still decodes whole: the same answer.
        var truncated = report.ByKind["truncated"];
        Assert.AreEqual(good.Length, truncated.Refused4xx + truncated.Decoded200);
        Assert.IsLessThan(32, truncated.Decoded200, "only cuts in the last few bytes decode");
        Assert.AreEqual(100, report.ByKind["random body"].Refused4xx);
        Assert.AreEqual(5, report.ByKind["bomb"].Refused4xx);
        Assert.IsLessThan(150 * 1024, mixPeak - start, $"the mix raised the server's peak resident memory from {start:N0} to {mixPeak:N0} KiB");
    }

    /// <summary>examples/ServingApi serving <paramref name="model"/> on a free loopback port, once /health answers.</summary>
    private static Server Start(string model, out Uri url)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        url = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { TestData.ServingApiAssembly, "--model", model, "--urls", url.ToString() })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (int attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                if (client.GetAsync(new Uri(url, "/health")).Result.IsSuccessStatusCode)
                    return new Server(process);
            }
            catch (AggregateException)
            {
            }
            if (process.HasExited)
                break;
            Thread.Sleep(500);
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"examples/ServingApi did not answer /health on {url} within a minute (exited: {process.HasExited}).");
    }

    /// <summary>The server's process, stopped when disposed.</summary>
    private sealed class Server(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public void Dispose()
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
            Process.Dispose();
        }
    }

    private static byte[] SmallJpeg()
    {
        using var bitmap = new SKBitmap(16, 16);
        bitmap.Erase(new SKColor(200, 100, 50));
        return Data.TestImages.Jpeg(bitmap, orientation: 0);
    }
}
