// bench/serving-load.sh's fuzz phase: dotnet ServingFuzz.dll URL PID GOOD.png SMALL.jpg
// First the two bombs of issue 27 alone, with the server's peak resident memory reset before them and read after; then
// the whole mix (FuzzMix.Make) while two clients keep sending GOOD.png. Prints a Markdown section; exits 1 if a good
// request failed, a bad one got a 5xx (or a 200 it should not), or the bombs raised the peak by 50 MiB or more.
using ServingFuzz;

if (args.Length != 4 || !int.TryParse(args[1], out int pid))
{
    Console.Error.WriteLine("usage: ServingFuzz URL PID GOOD.png SMALL.jpg");
    return 2;
}
var server = new Uri(args[0]);
byte[] good = File.ReadAllBytes(args[2]);
using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
var first = await client.PostAsync(new Uri(server, "/predict"), new ByteArrayContent(good) { Headers = { ContentType = new("image/png") } });
string label = System.Text.Json.JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("label").GetString()!;
var mix = FuzzMix.Make(good, File.ReadAllBytes(args[3]));

var (before, _) = FuzzMix.Memory(pid);
FuzzMix.ResetPeak(pid);
var alone = await FuzzMix.Alone(client, server, mix.Where(m => m.Name is "PNG 20,000 x 20,000" or "PNG 40,000 x 40,000"));
var (_, peak) = FuzzMix.Memory(pid);
double rise = (peak - before) / 1024.0;
Console.WriteLine("The two bombs of issue 27 alone (server's peak resident memory reset before them):");
Console.WriteLine();
foreach (var (name, status, ms, message) in alone)
    Console.WriteLine($"- {name}: {status} in {ms:N1} ms: {message}");
Console.WriteLine($"- resident memory before {before / 1024.0:N1} MiB, peak during them {peak / 1024.0:N1} MiB: a rise of {rise:N1} MiB");
Console.WriteLine();

FuzzMix.ResetPeak(pid);
var (start, _) = FuzzMix.Memory(pid);
var report = await FuzzMix.Run(client, server, good, label, mix);
var (end, mixPeak) = FuzzMix.Memory(pid);
Console.WriteLine($"The mix: {mix.Count} bad requests, 4 at a time, beside 2 clients sending a good PNG ({report.Seconds:N1} s):");
Console.WriteLine();
Console.WriteLine("| kind | sent | 4xx | 200 (still a whole image) | other |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var (kind, c) in report.ByKind.OrderBy(k => k.Key))
    Console.WriteLine($"| {kind} | {c.Sent} | {c.Refused4xx} | {c.Decoded200} | {c.Other} |");
Console.WriteLine();
Console.WriteLine($"- good requests: {report.GoodRequests}, of which {report.GoodFailures} not 200 with the label '{label}'");
Console.WriteLine($"- resident memory {start / 1024.0:N1} MiB at the start, {end / 1024.0:N1} MiB at the end, peak {mixPeak / 1024.0:N1} MiB");
foreach (string note in report.WrongAnswers.Concat(report.GoodFailureNotes))
    Console.WriteLine($"- wrong: {note}");
bool failed = report.GoodFailures > 0 || report.WrongAnswers.Count > 0 || alone.Any(a => a.Status is < 400 or >= 500) || rise >= 50;
return failed ? 1 : 0;
