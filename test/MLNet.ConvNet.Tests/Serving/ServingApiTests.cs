using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// examples/ServingApi, hosted in memory: /predict answers what the library's PredictionEngine gives for the same image
/// file, for every kind of model it serves, and refuses bad requests with a 4xx naming the problem.
/// </summary>
[TestClass]
public sealed class ServingApiTests : ServingTestClass
{
    public static IEnumerable<object[]> ModelKinds =>
    [
        ["image-path zip"], ["features zip"], ["features onnx"], ["rgb zip"], ["rgb onnx"],
    ];

    [TestMethod]
    [DynamicData(nameof(ModelKinds))]
    public async Task Predict_AnswersWhatTheLibrarysPredictionEngineGives_ForEachImage(string kind)
    {
        var served = ServedModels.Shared;
        var (model, images, expected, onnx) = kind switch
        {
            "image-path zip" => (served.ImagePathZip, served.Digits, served.ImagePathScores, false),
            "features zip" => (served.FeaturesZip, served.Digits, served.FeaturesScores, false),
            "features onnx" => (served.FeaturesOnnx, served.Digits, served.FeaturesScores, true),
            "rgb zip" => (served.RgbZip, served.Shapes, served.RgbScores, false),
            "rgb onnx" => (served.RgbOnnx, served.Shapes, served.RgbScores, true),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        using var api = Serve(model);
        using var client = api.CreateClient();
        var health = await client.GetFromJsonAsync<Health>("/health");
        var classes = health.Classes;

        foreach (string image in images)
        {
            var answer = await PostImage(client, File.ReadAllBytes(image));
            Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode, await answer.Content.ReadAsStringAsync());
            var prediction = await answer.Content.ReadFromJsonAsync<PredictResponse>();
            float[] scores = classes.Select(c => prediction.Scores[c]).ToArray();
            float[] reference = expected[image];
            // ONNX Runtime's kernels are not libtorch's: the same network agrees to about 1e-6.
            if (onnx)
                CollectionAssert.AreEqual(reference, scores, Comparer<float>.Create((a, b) => Math.Abs(a - b) <= 1e-5f ? 0 : a.CompareTo(b)), image);
            else
                CollectionAssert.AreEqual(reference, scores, image);
            Assert.AreEqual(classes[Array.IndexOf(reference, reference.Max())], prediction.Label, image);
            Assert.AreEqual(classes.Count, prediction.Scores.Count);
        }
    }

    [TestMethod]
    public async Task Health_NamesTheFileArchitectureShapeAndClasses()
    {
        var served = ServedModels.Shared;
        using var api = Serve(served.RgbOnnx);
        using var client = api.CreateClient();
        var health = await client.GetFromJsonAsync<Health>("/health");
        Assert.AreEqual("ready", health.Status);
        Assert.AreEqual(served.RgbOnnx, health.File);
        Assert.AreEqual("TinyNet", health.Architecture);
        Assert.AreEqual("3x40x48", health.InputShape);
        Assert.AreEqual("ONNX Runtime", health.Engine);
        CollectionAssert.AreEqual(ColouredShapes.ClassNames.ToList(), health.Classes.ToList());
        Assert.AreEqual(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(served.RgbOnnx))), health.Sha256);
        Assert.AreEqual(0, health.Swaps);
        Assert.IsNull(health.LastReloadError);

        using var zip = Serve(served.ImagePathZip);
        using var zipClient = zip.CreateClient();
        health = await zipClient.GetFromJsonAsync<Health>("/health");
        Assert.AreEqual(("LeNot", "1x28x28"), (health.Architecture, health.InputShape));
        StringAssert.StartsWith(health.Engine, "ML.NET");
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(d => d.ToString()).ToList(), health.Classes.ToList());
    }

    [TestMethod]
    public async Task Engines_AreMadeOncePerConcurrentRequest_NotOncePerRequest()
    {
        var served = ServedModels.Shared;
        using var api = Serve(served.FeaturesZip, ("max-concurrency", "2"));
        using var client = api.CreateClient();
        byte[] png = File.ReadAllBytes(served.Digits[4]);
        // 48 requests from 8 clients at once, 2 scoring at a time.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var statuses = new List<HttpStatusCode>();
            for (int i = 0; i < 6; i++)
                statuses.Add((await PostImage(client, png)).StatusCode);
            return statuses;
        }));
        Assert.IsTrue(answers.SelectMany(a => a).All(s => s == HttpStatusCode.OK));
        int engines = (await client.GetFromJsonAsync<Health>("/health")).EnginesCreated;
        Assert.IsTrue(engines is >= 1 and <= 2, $"{engines} PredictionEngines were made for 48 requests, 2 at a time.");
    }

    [TestMethod]
    public async Task ModelBuildersJson_GivesWhatTheImagesBytesGive()
    {
        var served = ServedModels.Shared;
        using var api = Serve(served.FeaturesZip);
        using var client = api.CreateClient();
        byte[] png = File.ReadAllBytes(served.Digits[0]);
        var fromBytes = await (await PostImage(client, png)).Content.ReadAsStringAsync();
        // Model Builder's Web API template posts the image as {"ImageSource": "<base64>"}.
        var answer = await client.PostAsJsonAsync("/predict", new { ImageSource = Convert.ToBase64String(png) });
        Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode);
        Assert.AreEqual(fromBytes, await answer.Content.ReadAsStringAsync());
        using var document = JsonDocument.Parse(fromBytes);
        CollectionAssert.AreEquivalent(new[] { "label", "scores" }, document.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
    }

    private static readonly Lazy<byte[]> PngBomb = new(() => ServingFuzz.Bombs.Png(20_000, 20_000));

    [TestMethod]
    public async Task BadRequests_GetA4xxNamingTheProblem_AndTheRequestsAroundThemAreAnswered()
    {
        var served = ServedModels.Shared;
        using var api = Serve(served.FeaturesZip, ("max-request-bytes", "1000000"));
        // Without redirects, whose handler would read a body of unknown length and send it with one.
        using var client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        byte[] png = File.ReadAllBytes(served.Digits[1]);
        var bad = new (string Name, Func<HttpContent> Body, HttpStatusCode Status, string Says)[]
        {
            ("not an image", () => Image("this is text, not a picture"u8.ToArray()), HttpStatusCode.BadRequest, "it is not an image"),
            ("truncated", () => Image(png[..(png.Length / 2)]), HttpStatusCode.BadRequest, "it is truncated or damaged"),
            ("empty", () => Image([]), HttpStatusCode.BadRequest, "The body is empty"),
            ("wrong type", () => new StringContent("7", System.Text.Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType, "got Content-Type 'text/plain; charset=utf-8'"),
            ("no type", () => new ByteArrayContent(png), HttpStatusCode.UnsupportedMediaType, "got Content-Type '(none)'"),
            ("too large", () => Image(new byte[1_000_001]), HttpStatusCode.RequestEntityTooLarge, "The body is 1,000,001 bytes; this server takes at most 1,000,000 bytes (--max-request-bytes)"),
            ("too large, no length", () => Unsized(new byte[3_000_000]), HttpStatusCode.RequestEntityTooLarge, "The body is longer than the limit; this server takes at most 1,000,000 bytes"),
            ("bad json", () => Json("{\"ImageSource\": "), HttpStatusCode.BadRequest, "The body is not valid JSON"),
            ("json without image", () => Json("{\"Image\": \"abc\"}"), HttpStatusCode.BadRequest, "has no ImageSource; expected {\"ImageSource\": \"<base64>\"}, got the properties [Image]"),
            ("json not base64", () => Json("{\"ImageSource\": \"%%%\"}"), HttpStatusCode.BadRequest, "ImageSource is not base64"),
            ("json array", () => Json("[1, 2]"), HttpStatusCode.BadRequest, "The JSON body is an array"),
            ("a PNG bomb", () => Image(PngBomb.Value), HttpStatusCode.UnprocessableEntity, "declares 20,000x20,000 pixels (400.0 megapixels)"),
            ("a GIF bomb", () => Image(ServingFuzz.Bombs.Gif(60_000, 60_000)), HttpStatusCode.UnprocessableEntity, "declares 60,000x60,000 pixels"),
        };

        // Every bad request among good ones, all at once: each gets its own answer.
        var goods = Enumerable.Range(0, 16).Select(_ => PostImage(client, png)).ToList();
        var bads = bad.Select(async b => (b, await client.PostAsync("/predict", b.Body()))).ToList();
        foreach (var task in bads)
        {
            var (b, answer) = await task;
            Assert.AreEqual(b.Status, answer.StatusCode, b.Name);
            Assert.AreEqual("application/json", answer.Content.Headers.ContentType?.MediaType, b.Name);
            var error = (await answer.Content.ReadFromJsonAsync<ErrorResponse>()).Error;
            StringAssert.Contains(error, b.Says, b.Name);
        }
        var expected = served.FeaturesScores[served.Digits[1]];
        var classes = (await client.GetFromJsonAsync<Health>("/health")).Classes;
        foreach (var good in goods)
        {
            var answer = await good;
            Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode);
            var scores = (await answer.Content.ReadFromJsonAsync<PredictResponse>()).Scores;
            CollectionAssert.AreEqual(expected, classes.Select(c => scores[c]).ToArray());
        }
    }

    [TestMethod]
    public async Task ARequestThatTakesTooLong_IsCancelledWith503_SayingSo()
    {
        using var api = Serve(ServedModels.Shared.FeaturesZip, ("timeout-seconds", "1"));
        // Without redirects, whose handler would read the whole body before sending it.
        using var client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // A client that sends a few bytes of its body and then nothing.
        var answer = await client.PostAsync("/predict", new StalledContent());
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        StringAssert.Contains((await answer.Content.ReadFromJsonAsync<ErrorResponse>()).Error, "The request took longer than 1 s (--timeout-seconds) and was cancelled");
        // And the server goes on answering.
        Assert.AreEqual(HttpStatusCode.OK, (await PostImage(client, File.ReadAllBytes(ServedModels.Shared.Digits[0]))).StatusCode);
    }

    internal static WebApplicationFactory<Program> Serve(string model, params (string Key, string Value)[] settings)
        => new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("model", model);
            foreach (var (key, value) in settings)
                host.UseSetting(key, value);
        });

    internal static Task<HttpResponseMessage> PostImage(HttpClient client, byte[] image) => client.PostAsync("/predict", Image(image));

    private static ByteArrayContent Image(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>A body sent without a Content-Length (chunked), so the server finds its size only by reading it.</summary>
    private static StreamContent Unsized(byte[] bytes)
    {
        var content = new StreamContent(new UnseekableStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    internal sealed record Health(string Status, string File, string Sha256, string Engine, string Architecture, string InputShape,
        IReadOnlyList<string> Classes, int EnginesCreated, int Swaps, string LastReloadError, bool? LibtorchLoaded);

    internal sealed record PredictResponse(string Label, Dictionary<string, float> Scores);

    internal sealed record ErrorResponse(string Error);

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private sealed class StalledContent : HttpContent
    {
        public StalledContent() => Headers.ContentType = new MediaTypeHeaderValue("image/png");

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext context)
        {
            await stream.WriteAsync(new byte[] { 0x89, 0x50, 0x4E, 0x47 });
            await stream.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
