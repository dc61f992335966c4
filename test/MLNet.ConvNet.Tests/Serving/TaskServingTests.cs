using System.Net;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Tests.Tasks;

namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// examples/ServingApi answers a binary model with <c>{"label": true, "probability": 0.93, "score": 2.6}</c> and a
/// regression with <c>{"value": 12.5}</c>: what the library gives for the same image file.
/// </summary>
[TestClass]
public sealed class TaskServingTests : ServingTestClass
{
    [TestMethod]
    public async Task ABinaryModelAndARegression_AnswerWithTheirTasksJson()
    {
        TestSetup.EnsureRegistered();
        var ml = new MLContext(seed: 1);
        string root = TestData.TempDirectory();
        MnistPngExporter.Export(GeneratedDigits.Generate(6, seed: 4), Path.Combine(root, "digits"), "digit");
        var files = ImageFolder.Load(ml, Path.Combine(root, "digits"));
        var paths = files.GetColumn<string>("ImagePath").ToArray();
        var readFeatures = ml.Transforms.ConvNetImageFeatures().Fit(files);
        var options = new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1, ValidationFraction = 0.2 };

        var binaryTraining = TaskData.Load(ml, 200);
        var binary = ml.BinaryClassification.Trainers.ConvNet(options).Fit(binaryTraining);
        string binaryZip = Path.Combine(root, "binary.zip");
        ml.Model.Save(binary, binaryTraining.Schema, binaryZip);
        var binaryScored = new TransformerChain<ITransformer>(readFeatures, binary).Transform(files);
        var probabilities = binaryScored.GetColumn<float>("Probability").ToArray();
        var predicted = binaryScored.GetColumn<bool>("PredictedLabel").ToArray();

        var regressionTraining = TaskData.ForRegression(ml, 200, value: d => 10f * d);
        var regression = ml.Regression.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 }).Fit(regressionTraining);
        string regressionZip = Path.Combine(root, "regression.zip");
        ml.Model.Save(regression, regressionTraining.Schema, regressionZip);
        var values = new TransformerChain<ITransformer>(readFeatures, regression).Transform(files).GetColumn<float>("Score").ToArray();

        using (var api = ServingApiTests.Serve(binaryZip))
        using (var client = api.CreateClient())
        {
            for (int i = 0; i < paths.Length; i++)
            {
                var answer = await ServingApiTests.PostImage(client, File.ReadAllBytes(paths[i]));
                string body = await answer.Content.ReadAsStringAsync();
                Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode, body);
                using var json = JsonDocument.Parse(body);
                Assert.AreEqual(predicted[i], json.RootElement.GetProperty("label").GetBoolean(), body);
                Assert.AreEqual(probabilities[i], json.RootElement.GetProperty("probability").GetSingle(), 1e-5f, body);
                Assert.IsFalse(json.RootElement.TryGetProperty("scores", out _), "a binary model has no per-class scores");
            }
        }
        using (var api = ServingApiTests.Serve(regressionZip))
        using (var client = api.CreateClient())
        {
            for (int i = 0; i < paths.Length; i++)
            {
                var answer = await ServingApiTests.PostImage(client, File.ReadAllBytes(paths[i]));
                string body = await answer.Content.ReadAsStringAsync();
                Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode, body);
                using var json = JsonDocument.Parse(body);
                Assert.AreEqual(values[i], json.RootElement.GetProperty("value").GetSingle(), 1e-4f * Math.Max(1, Math.Abs(values[i])), body);
            }
        }
    }
}
