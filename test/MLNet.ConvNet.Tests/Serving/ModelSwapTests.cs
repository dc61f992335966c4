using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;
using static MLNet.ConvNet.Tests.Serving.ServingApiTests;

namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// examples/ServingApi swaps its model live when the file is replaced, without failing a request, and keeps serving the
/// old model when the replacement cannot be loaded; and it refuses to start on a bad command line, saying why.
/// </summary>
[TestClass]
[TestCategory("Integration")] // waits on file-system notifications and starts the API as a process
public sealed class ModelSwapTests : ServingTestClass
{
    [TestMethod]
    [DataRow(".zip")]
    [DataRow(".onnx")]
    public async Task RequestsAcrossASwap_AllSucceed_EachOnOneWholeModel_AndEndOnTheNewOne(string kind)
    {
        var served = ServedModels.Shared;
        var (first, second) = kind == ".zip" ? (served.FeaturesZip, served.OtherFeaturesZip) : (served.FeaturesOnnx, served.OtherFeaturesOnnx);
        string folder = TestData.TempDirectory();
        string model = Path.Combine(folder, "model" + kind);
        File.Copy(first, model);
        using var api = Serve(model);
        using var client = api.CreateClient();
        var classes = (await client.GetFromJsonAsync<Health>("/health")).Classes;
        string image = served.Digits[2];
        byte[] png = File.ReadAllBytes(image);
        float[] before = served.FeaturesScores[image], after = served.OtherFeaturesScores[image];
        Assert.IsFalse(Close(before, after), "The two networks must score the image differently for the test to tell them apart.");

        // Four clients post without pause while the file is replaced as the library's saves do: a temporary file, renamed over it.
        using var stop = new CancellationTokenSource();
        var answers = new ConcurrentQueue<(HttpStatusCode Status, float[] Scores, string Body)>();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var answer = await PostImage(client, png);
                string body = await answer.Content.ReadAsStringAsync();
                float[] scores = answer.IsSuccessStatusCode ? Scores(System.Text.Json.JsonSerializer.Deserialize<PredictResponse>(body, Web), classes) : null;
                answers.Enqueue((answer.StatusCode, scores, body));
            }
        })).ToList();
        await Task.Delay(500);
        int beforeSwap = answers.Count;
        File.Copy(second, model + ".tmp");
        File.Move(model + ".tmp", model, overwrite: true);
        var health = await WaitForHealth(client, h => h.Sha256 == Sha256(second));
        await Task.Delay(500);
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.AreEqual(1, health.Swaps);
        Assert.IsNull(health.LastReloadError);
        Assert.IsTrue(beforeSwap > 0 && answers.Count > beforeSwap, $"{beforeSwap} answers before the swap, {answers.Count} in all.");
        foreach (var (status, scores, body) in answers)
        {
            Assert.AreEqual(HttpStatusCode.OK, status, body);
            Assert.IsTrue(Close(scores, before) || Close(scores, after), $"An answer came from neither model whole: {body}");
        }
        Assert.IsTrue(answers.Any(a => Close(a.Scores, before)), "No answer came from the first model.");
        Assert.IsTrue(Close(answers.Last().Scores, after), "The stream did not end on the new model.");
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public async Task AReplacementThatCannotLoad_IsReported_AndTheOldModelKeepsServing()
    {
        var served = ServedModels.Shared;
        string folder = TestData.TempDirectory();
        string model = Path.Combine(folder, "model.zip");
        File.Copy(served.FeaturesZip, model);
        using var api = Serve(model);
        using var client = api.CreateClient();
        var classes = (await client.GetFromJsonAsync<Health>("/health")).Classes;
        string image = served.Digits[3];
        byte[] png = File.ReadAllBytes(image);

        // Not a model at all, then half of a real one.
        byte[] whole = File.ReadAllBytes(served.OtherFeaturesZip);
        foreach (byte[] broken in new[] { "not a model"u8.ToArray(), whole[..(whole.Length / 2)] })
        {
            File.WriteAllBytes(model + ".tmp", broken);
            File.Move(model + ".tmp", model, overwrite: true);
            string reported = (await WaitForHealth(client, h => h.LastReloadError is not null && h.LastReloadError != _lastSeen)).LastReloadError;
            _lastSeen = reported;
            StringAssert.Contains(reported, "InvalidDataException: ");
            StringAssert.Contains(reported, "is not a model: expected the .zip archive");
            var health = await client.GetFromJsonAsync<Health>("/health");
            Assert.AreEqual((Sha256(served.FeaturesZip), 0), (health.Sha256, health.Swaps));
            var answer = await PostImage(client, png);
            Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode);
            Assert.IsTrue(Close(served.FeaturesScores[image], Scores(await answer.Content.ReadFromJsonAsync<PredictResponse>(), classes)));
        }

        // A good file afterwards is taken, and clears the error.
        File.Copy(served.OtherFeaturesZip, model + ".tmp");
        File.Move(model + ".tmp", model, overwrite: true);
        var swapped = await WaitForHealth(client, h => h.Swaps == 1);
        Assert.IsNull(swapped.LastReloadError);
        var last = await PostImage(client, png);
        Assert.IsTrue(Close(served.OtherFeaturesScores[image], Scores(await last.Content.ReadFromJsonAsync<PredictResponse>(), classes)));
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void ABadCommandLine_OrAModelThatCannotLoad_StopsTheApiWithAMessage()
    {
        var (exitCode, _, errors) = TestData.Run(TestData.ServingApiAssembly);
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "Give the model to serve: --model PATH");

        (exitCode, _, errors) = TestData.Run(TestData.ServingApiAssembly, "--model", "/no/such/model.zip");
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "error: no model at '/no/such/model.zip'.");

        (exitCode, _, errors) = TestData.Run(TestData.ServingApiAssembly, "--model", ServedModels.Shared.FeaturesZip, "--max-request-bytes", "lots");
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "--max-request-bytes takes a number of bytes above 0; got 'lots'.");

        string folder = TestData.TempDirectory();
        string broken = Path.Combine(folder, "broken.zip");
        File.WriteAllText(broken, "not a model");
        (exitCode, _, errors) = TestData.Run(TestData.ServingApiAssembly, "--model", broken);
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, $"error: cannot serve '{broken}'");
        Directory.Delete(folder, recursive: true);
    }

    private static string _lastSeen;

    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static float[] Scores(PredictResponse prediction, IReadOnlyList<string> classes) => classes.Select(c => prediction.Scores[c]).ToArray();

    /// <summary>
    /// Equal but for rounding: ONNX Runtime's kernels are not libtorch's, and libtorch's last bits can depend on how many
    /// threads score (the API uses one per request). ServingApiTests holds the .zip engine to the library's PredictionEngine exactly.
    /// </summary>
    private static bool Close(float[] a, float[] b) => a.Length == b.Length && a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= 1e-5f);

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>/health once it satisfies <paramref name="condition"/>; fails after 30 s.</summary>
    private static async Task<Health> WaitForHealth(HttpClient client, Func<Health, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var health = await client.GetFromJsonAsync<Health>("/health");
            if (condition(health))
                return health;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"/health did not change as expected within 30 s: {System.Text.Json.JsonSerializer.Serialize(health)}");
            await Task.Delay(50);
        }
    }
}
