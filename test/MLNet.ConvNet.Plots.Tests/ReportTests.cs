using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML;

namespace MLNet.ConvNet.Plots.Tests;

/// <summary>The report as files, and as a person sees it in a real browser.</summary>
[TestClass]
public sealed class ReportTests
{
    private static string _directory;
    private static ReportResult _report;

    [ClassInitialize]
    public static void Write(TestContext _)
    {
        _directory = Fixture.TempDirectory();
        _report = ConvNetReport.Write(Fixture.Model, Fixture.Test, _directory, new ReportOptions { SaliencyImages = 3, WrongImages = 8 });
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    public void EveryPictureTheReportShows_IsAPngOfItsStatedSize()
    {
        string html = File.ReadAllText(_report.IndexPath);
        var images = Regex.Matches(html, "<img src=\"([^\"]+)\" width=\"(\\d+)\" height=\"(\\d+)\"").ToList();
        CollectionAssert.IsSubsetOf(new[] { "curves", "confusion", "confusion-normalized", "filters", "activations-conv2d", "activations-max_pooling2d", "activations-conv2d_1", "activations-max_pooling2d_1", "saliency", "wrong" },
            _report.Pictures.Keys.ToList());
        Assert.AreEqual(_report.Pictures.Count, images.Count, "every picture is on the page once");
        foreach (var image in images)
        {
            using var bitmap = Fixture.Decode(Path.Combine(_directory, image.Groups[1].Value));
            Assert.AreEqual((int.Parse(image.Groups[2].Value), int.Parse(image.Groups[3].Value)), (bitmap.Width, bitmap.Height), image.Groups[1].Value);
        }
        Assert.AreEqual(6, _report.Pictures["filters"].Tiles.Count, "LeNot's first layer has 6 filters");
    }

    [TestMethod]
    public void ThePage_HoldsTheSummaryTheSettingsTheHistoryAndTheMetrics_AndNothingFromElsewhere()
    {
        string html = File.ReadAllText(_report.IndexPath);
        var parameters = Fixture.Model.Model;
        StringAssert.Contains(html, System.Net.WebUtility.HtmlEncode(parameters.Summary.Split('\n')[3].TrimEnd('\r')));
        StringAssert.Contains(html, System.Net.WebUtility.HtmlEncode(parameters.TrainingSettings));
        Assert.AreEqual(parameters.History.Count, Regex.Matches(html, "<tr( style=\"font-weight:bold\")?><td>\\d+</td>").Count, "one history row per epoch");
        var metrics = Fixture.Ml.MulticlassClassification.Evaluate(Fixture.Model.Transform(Fixture.Test));
        Assert.AreEqual(metrics.MicroAccuracy, _report.MicroAccuracy, 1e-12, "the report's accuracy is ML.NET's");
        StringAssert.Contains(html, $"Micro-accuracy <b>{metrics.MicroAccuracy.ToString("P2", System.Globalization.CultureInfo.InvariantCulture)}</b>");
        Assert.IsFalse(Regex.IsMatch(html, "<script|https?://|<link", RegexOptions.IgnoreCase), "self-contained: no scripts, no links, no addresses");
    }

    [TestMethod]
    public void ALearningRateSearch_GetsItsCurveOnThePage()
    {
        var ml = new MLContext(1);
        var train = MLNet.ConvNet.Data.MnistDataset.Load(ml, MLNet.ConvNet.SampleImages.GeneratedDigits.Generate(256));
        var trainer = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, BatchSize = 32 });
        var found = trainer.FindLearningRate(train, new LearningRateFinder { Steps = 30 });
        using var model = trainer.Fit(train);
        string directory = Fixture.TempDirectory();
        var report = ConvNetReport.Write(model, Fixture.Test, directory, new ReportOptions { SaliencyImages = 1, WrongImages = 4, LearningRateFinding = found });
        Assert.AreEqual((800, 420), (report.Pictures["learning-rate"].Width, report.Pictures["learning-rate"].Height));
        string html = File.ReadAllText(report.IndexPath);
        StringAssert.Contains(html, "<h2>Learning-rate search</h2>");
        StringAssert.Contains(html, "src=\"learning-rate.png\"");
        Assert.IsFalse(_report.Pictures.ContainsKey("learning-rate"), "no search, no picture");
        Directory.Delete(directory, recursive: true);
    }

    [TestMethod]
    public void AModelTrainedWithAugmentation_GetsAPictureOfWhatTrainingShowedIt()
    {
        var ml = new MLContext(1);
        var train = MLNet.ConvNet.Data.MnistDataset.Load(ml, MLNet.ConvNet.SampleImages.GeneratedDigits.Generate(256));
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, Augmentation = ImageAugmentation.Digits }).Fit(train);
        string directory = Fixture.TempDirectory();
        var report = ConvNetReport.Write(model, Fixture.Test, directory, new ReportOptions { SaliencyImages = 1, WrongImages = 4 });
        Assert.AreEqual(24, report.Pictures["augmentation"].Tiles.Count, "6 images, each as it is and in 3 draws");
        StringAssert.Contains(File.ReadAllText(report.IndexPath), "src=\"augmentation.png\"");
        Assert.IsFalse(_report.Pictures.ContainsKey("augmentation"), "a model trained without augmentation has no such picture");
        Directory.Delete(directory, recursive: true);
    }

    [TestMethod]
    public void Write_RefusesAModelWithoutAConvNet_AndALabelThatIsNotAKey()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ConvNetReport.Write(Fixture.Ml.Transforms.CopyColumns("X", "Label").Fit(Fixture.Test), Fixture.Test, _directory));
        StringAssert.StartsWith(error.Message, "The model holds no ConvNetTransformer");
        var missing = Assert.ThrowsExactly<ArgumentException>(() => ConvNetReport.Write(Fixture.Model, Fixture.Test, _directory, new ReportOptions { LabelColumnName = "Digit" }));
        StringAssert.StartsWith(missing.Message, "The test data has no label column 'Digit'");
    }

    /// <summary>
    /// Opens the page in headless Chromium through the DevTools protocol, waits for it to load, and asks the page
    /// itself whether every image loaded (complete, natural width above zero); collects every console message and
    /// error the browser reports. Skipped, saying why, where no Chromium is installed (.ci/run installs it).
    /// </summary>
    [TestMethod]
    [TestCategory("Integration")] // starts Chromium
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task InARealBrowser_EveryImageLoads_AndTheConsoleHasNoErrors()
    {
        string browser = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => Environment.GetEnvironmentVariable("PATH").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null);
        if (browser is null)
            Assert.Inconclusive("No Chromium on PATH (install Debian's chromium package; .ci/run does): the report was not opened in a browser.");

        string profile = Fixture.TempDirectory();
        var start = new ProcessStartInfo(browser) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-port=0", $"--user-data-dir={profile}", "about:blank" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start);
        try
        {
            string endpoint = null;
            while (endpoint is null && await process.StandardError.ReadLineAsync() is { } line)
                endpoint = Regex.Match(line, @"DevTools listening on (ws://\S+)").Groups[1].Value is { Length: > 0 } url ? url : null;
            Assert.IsNotNull(endpoint, "Chromium did not open its DevTools endpoint");
            _ = process.StandardError.ReadToEndAsync();

            using var http = new HttpClient();
            var port = new Uri(endpoint).Port;
            var pages = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list")).RootElement;
            string pageSocket = pages.EnumerateArray().First(p => p.GetProperty("type").GetString() == "page").GetProperty("webSocketDebuggerUrl").GetString();

            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(pageSocket), CancellationToken.None);
            var problems = new List<string>();
            int id = 0;
            async Task<JsonElement> Call(string method, object parameters = null, string waitForEvent = null)
            {
                int mine = ++id;
                var request = JsonSerializer.Serialize(new { id = mine, method, @params = parameters ?? new { } });
                await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, CancellationToken.None);
                JsonElement? result = null;
                bool seenEvent = waitForEvent is null;
                while (result is null || !seenEvent)
                {
                    var message = await Receive(socket);
                    if (message.TryGetProperty("id", out var replyId) && replyId.GetInt32() == mine)
                    {
                        result = message;
                        continue;
                    }
                    string name = message.TryGetProperty("method", out var m) ? m.GetString() : "";
                    seenEvent |= name == waitForEvent;
                    if (name == "Runtime.exceptionThrown")
                        problems.Add("exception: " + message.GetProperty("params").GetProperty("exceptionDetails").GetRawText());
                    else if (name == "Runtime.consoleAPICalled" && message.GetProperty("params").GetProperty("type").GetString() is "error" or "warning" or "assert")
                        problems.Add("console: " + message.GetProperty("params").GetRawText());
                    else if (name == "Log.entryAdded" && message.GetProperty("params").GetProperty("entry").GetProperty("level").GetString() is "error" or "warning")
                        problems.Add("log: " + message.GetProperty("params").GetProperty("entry").GetRawText());
                }
                return result.Value;
            }
            await Call("Runtime.enable");
            await Call("Log.enable");
            await Call("Page.enable");
            await Call("Page.navigate", new { url = new Uri(_report.IndexPath).AbsoluteUri }, waitForEvent: "Page.loadEventFired");
            var answer = await Call("Runtime.evaluate", new
            {
                expression = "JSON.stringify(Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]))",
                returnByValue = true,
            });
            var images = JsonDocument.Parse(answer.GetProperty("result").GetProperty("result").GetProperty("value").GetString()).RootElement.EnumerateArray().ToList();
            Assert.AreEqual(_report.Pictures.Count, images.Count, "the browser sees every picture");
            foreach (var image in images)
                Assert.IsTrue(image[1].GetBoolean() && image[2].GetInt32() > 0, $"{image[0]} did not load (complete {image[1]}, natural width {image[2]})");
            var title = await Call("Runtime.evaluate", new { expression = "document.title", returnByValue = true });
            StringAssert.Contains(title.GetProperty("result").GetProperty("result").GetProperty("value").GetString(), "LeNot");
            Assert.AreEqual(0, problems.Count, "console and log: " + string.Join(" | ", problems));
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<JsonElement> Receive(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
    }
}
