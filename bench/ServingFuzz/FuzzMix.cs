#nullable enable
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ServingFuzz;

/// <summary>One bad request of the mix: what it is, its body, and the answers it may get.</summary>
/// <param name="Kind">bomb, truncated, bit flip, random body or deep zlib.</param>
/// <param name="Body">The request's body, sent as image/png.</param>
/// <param name="MayDecode">
/// Whether the body may still be a whole image, so 200 is right too: a flipped bit in a part the decoder skips,
/// trailing data, or a cut that loses only what follows the last pixel (PNG's checksums and end marker). A truncated
/// body answered 200 must get exactly the whole image's answer.
/// </param>
public sealed record BadRequest(string Kind, string Name, byte[] Body, bool MayDecode);

/// <summary>What the serving API answered to one mix.</summary>
public sealed record FuzzReport(
    int GoodRequests, int GoodFailures, IReadOnlyList<string> GoodFailureNotes,
    IReadOnlyDictionary<string, (int Sent, int Refused4xx, int Decoded200, int Other)> ByKind,
    IReadOnlyList<string> WrongAnswers, double Seconds);

/// <summary>
/// The fuzz-and-bomb mix of issue 27, against a running examples/ServingApi: bad requests of every kind, four at a
/// time, while two clients keep sending a good image and check its label. The Integration test
/// (ServingFuzzTests) and bench/serving-load.sh's fuzz phase both run it.
/// </summary>
public static class FuzzMix
{
    /// <summary>
    /// The bad requests: the bombs (PNGs of 20,000 and 40,000 pixels a side, a PNG 100,000 pixels high, a 60,000 a
    /// side GIF, a 60,000 x 60,000 JPEG), a 64 x 64 PNG whose zlib stream inflates to 260 MB, <paramref name="good"/> cut
    /// at every offset, 200 copies with one random bit flipped, and 100 random bodies (half of them starting with a PNG
    /// signature). Fixed by <paramref name="seed"/>.
    /// </summary>
    public static List<BadRequest> Make(byte[] good, byte[] smallJpeg, int seed = 27)
    {
        var random = new Random(seed);
        var mix = new List<BadRequest>
        {
            new("bomb", "PNG 20,000 x 20,000", Bombs.Png(20_000, 20_000), false),
            new("bomb", "PNG 40,000 x 40,000", Bombs.Png(40_000, 40_000), false),
            new("bomb", "PNG 1 x 100,000", Bombs.Png(1, 100_000), false),
            new("bomb", "GIF 60,000 x 60,000", Bombs.Gif(60_000, 60_000), false),
            new("bomb", "JPEG 60,000 x 60,000", Bombs.Jpeg(smallJpeg, 60_000, 60_000), false),
            // Its picture is whole (64 x 64 zeros); the decoder stops at its last row and leaves the rest unread.
            new("deep zlib", "PNG 64 x 64 inflating to 260 MB", Bombs.DeepZlib(64, 64, 4_000_000), true),
        };
        for (int cut = 0; cut < good.Length; cut++)
            mix.Add(new("truncated", $"cut at {cut}", good[..cut], true));
        for (int k = 0; k < 200; k++)
        {
            var flipped = (byte[])good.Clone();
            int at = random.Next(flipped.Length);
            flipped[at] ^= (byte)(1 << random.Next(8));
            mix.Add(new("bit flip", $"bit flipped at byte {at}", flipped, true));
        }
        for (int k = 0; k < 100; k++)
        {
            var body = new byte[random.Next(1, 4096)];
            random.NextBytes(body);
            if (k % 2 == 1 && body.Length > 8)
                new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(body, 0);
            mix.Add(new("random body", $"{body.Length} random bytes", body, false));
        }
        return mix;
    }

    /// <summary>
    /// Sends <paramref name="bad"/> four at a time to <paramref name="server"/>'s /predict while two clients send
    /// <paramref name="good"/> until the bad ones are done; every good answer must be 200 with
    /// <paramref name="label"/>, every bad one a 4xx (or 200 where the body may still decode), never a 5xx.
    /// </summary>
    public static async Task<FuzzReport> Run(HttpClient client, Uri server, byte[] good, string label, IReadOnlyList<BadRequest> bad)
    {
        var predict = new Uri(server, "/predict");
        string whole;
        using (var first = await client.PostAsync(predict, Image(good)))
            whole = await first.Content.ReadAsStringAsync();
        var clock = Stopwatch.StartNew();
        using var done = new CancellationTokenSource();
        int goodRequests = 0, goodFailures = 0;
        var goodNotes = new List<string>();
        async Task Good()
        {
            while (!done.IsCancellationRequested)
            {
                using var answer = await client.PostAsync(predict, Image(good));
                string text = await answer.Content.ReadAsStringAsync();
                string? got = answer.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.GetProperty("label").GetString() : null;
                lock (goodNotes)
                {
                    goodRequests++;
                    if (got != label)
                    {
                        goodFailures++;
                        if (goodNotes.Count < 5)
                            goodNotes.Add($"{(int)answer.StatusCode}: {text}");
                    }
                }
            }
        }
        var goods = new[] { Good(), Good() };

        var byKind = new Dictionary<string, (int Sent, int Refused4xx, int Decoded200, int Other)>();
        var wrong = new List<string>();
        using var gate = new SemaphoreSlim(4);
        var sends = bad.Select(async request =>
        {
            await gate.WaitAsync();
            try
            {
                using var answer = await client.PostAsync(predict, Image(request.Body));
                string text = await answer.Content.ReadAsStringAsync();
                int status = (int)answer.StatusCode;
                lock (byKind)
                {
                    var counts = byKind.GetValueOrDefault(request.Kind);
                    counts.Sent++;
                    if (status is >= 400 and < 500)
                        counts.Refused4xx++;
                    else if (status == 200 && request.MayDecode && (request.Kind != "truncated" || text == whole))
                        counts.Decoded200++;
                    else
                    {
                        counts.Other++;
                        wrong.Add($"{request.Kind}, {request.Name}: {status} {text[..Math.Min(300, text.Length)]}");
                    }
                    byKind[request.Kind] = counts;
                }
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(sends);
        done.Cancel();
        await Task.WhenAll(goods);
        return new FuzzReport(goodRequests, goodFailures, goodNotes, byKind, wrong, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Each of <paramref name="bombs"/> alone, one after another: its status, milliseconds and message.</summary>
    public static async Task<List<(string Name, int Status, double Milliseconds, string Message)>> Alone(HttpClient client, Uri server, IEnumerable<BadRequest> bombs)
    {
        var answers = new List<(string, int, double, string)>();
        foreach (var bomb in bombs)
        {
            var clock = Stopwatch.StartNew();
            using var answer = await client.PostAsync(new Uri(server, "/predict"), Image(bomb.Body));
            string text = await answer.Content.ReadAsStringAsync();
            answers.Add((bomb.Name, (int)answer.StatusCode, clock.Elapsed.TotalMilliseconds, text));
        }
        return answers;
    }

    /// <summary>A process's resident memory now and at its peak since the last <see cref="ResetPeak"/>, in KiB (Linux).</summary>
    public static (long Resident, long Peak) Memory(int pid)
    {
        long resident = 0, peak = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                resident = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        return (resident, peak);
    }

    /// <summary>Resets a process's peak resident memory to its present level (Linux 4.0 on: "5" to /proc/PID/clear_refs).</summary>
    public static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    private static ByteArrayContent Image(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }
}
