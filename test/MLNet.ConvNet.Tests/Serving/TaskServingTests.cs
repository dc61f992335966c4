using System.Net;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Tests.Tasks;

namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// examples/ServingApi answers a binary model with <c>{"label": true, "probability": 0.93, "score": 2.6}</c>, a
/// regression with <c>{"value": 12.5}</c>, a tagger with <c>{"tags": ["small", "even"], "scores": {"small": 0.97, ...}}</c>:
/// what the library gives for the same image file, from the model's .zip (libtorch) and from its strict .onnx (ONNX
/// Runtime alone).
/// </summary>
[TestClass]
public sealed class TaskServingTests : ServingTestClass
{
    private sealed class Served(string zip, string onnx, IDataView scored)
    {
        public string Zip => zip;
        public string Onnx => onnx;
        public IDataView Scored => scored;
    }

    private static readonly Lazy<(string[] Paths, Dictionary<string, Served> Models)> Models = new(Train);

    private static (string[], Dictionary<string, Served>) Train()
    {
        TestSetup.EnsureRegistered();
        var ml = new MLContext(seed: 1);
        string root = TestData.TempDirectory();
        MnistPngExporter.Export(GeneratedDigits.Generate(6, seed: 4), Path.Combine(root, "digits"), "digit");
        var files = ImageFolder.Load(ml, Path.Combine(root, "digits"));
        var readFeatures = ml.Transforms.ConvNetImageFeatures().Fit(files);
        var options = new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1, ValidationFraction = 0.2 };
        var models = new Dictionary<string, Served>();
        void Add(string task, ConvNetTransformer model, IDataView training)
        {
            string zip = Path.Combine(root, task + ".zip"), onnx = Path.Combine(root, task + ".onnx");
            ml.Model.Save(model, training.Schema, zip);
            ml.Model.ConvertToStrictOnnx(model, ServedModels.FeaturesOnly(ml, new ImageShape(1, 28, 28)), onnx);
            models[task] = new Served(zip, onnx, new TransformerChain<ITransformer>(readFeatures, model).Transform(files));
        }
        var binary = TaskData.Load(ml, 200);
        Add("binary", ml.BinaryClassification.Trainers.ConvNet(options).Fit(binary), binary);
        var regression = TaskData.ForRegression(ml, 200, value: d => 10f * d);
        Add("regression", ml.Regression.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 }).Fit(regression), regression);
        var tags = TagData.Load(ml, 300);
        Add("tagging", ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 2, ValidationFraction = 0.2, TuneTagThresholds = true }).Fit(tags), tags);
        return (files.GetColumn<string>("ImagePath").ToArray(), models);
    }

    public static IEnumerable<object[]> Engines => [[".zip"], [".onnx"]];

    private static async Task<JsonElement[]> Answers(string model)
    {
        using var api = ServingApiTests.Serve(model);
        using var client = api.CreateClient();
        var answers = new List<JsonElement>();
        foreach (var path in Models.Value.Paths)
        {
            var answer = await ServingApiTests.PostImage(client, File.ReadAllBytes(path));
            string body = await answer.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode, body);
            answers.Add(JsonDocument.Parse(body).RootElement.Clone());
        }
        return answers.ToArray();
    }

    private static string Pick(Served served, string engine) => engine == ".zip" ? served.Zip : served.Onnx;

    [TestMethod]
    [DynamicData(nameof(Engines))]
    public async Task ABinaryModel_AnswersLabelProbabilityAndScore(string engine)
    {
        var served = Models.Value.Models["binary"];
        var probabilities = served.Scored.GetColumn<float>("Probability").ToArray();
        var scores = served.Scored.GetColumn<float>("Score").ToArray();
        var predicted = served.Scored.GetColumn<bool>("PredictedLabel").ToArray();
        var answers = await Answers(Pick(served, engine));
        for (int i = 0; i < answers.Length; i++)
        {
            Assert.AreEqual(predicted[i], answers[i].GetProperty("label").GetBoolean(), answers[i].ToString());
            Assert.AreEqual(probabilities[i], answers[i].GetProperty("probability").GetSingle(), 1e-5f, answers[i].ToString());
            Assert.AreEqual(scores[i], answers[i].GetProperty("score").GetSingle(), 1e-4f, answers[i].ToString());
            Assert.IsFalse(answers[i].TryGetProperty("scores", out _), "a binary model has no per-class scores");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Engines))]
    public async Task ARegression_AnswersItsValue(string engine)
    {
        var served = Models.Value.Models["regression"];
        var values = served.Scored.GetColumn<float>("Score").ToArray();
        var answers = await Answers(Pick(served, engine));
        for (int i = 0; i < answers.Length; i++)
            Assert.AreEqual(values[i], answers[i].GetProperty("value").GetSingle(), 1e-4f * Math.Max(1, Math.Abs(values[i])), answers[i].ToString());
    }

    [TestMethod]
    [DynamicData(nameof(Engines))]
    public async Task ATagger_AnswersItsTagsAndEveryTagsProbability(string engine)
    {
        var served = Models.Value.Models["tagging"];
        var scores = served.Scored.GetColumn<float[]>("Score").ToArray();
        var predicted = served.Scored.GetColumn<bool[]>("PredictedLabels").ToArray();
        var answers = await Answers(Pick(served, engine));
        for (int i = 0; i < answers.Length; i++)
        {
            var tags = answers[i].GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ToArray();
            CollectionAssert.AreEqual(TagData.Tags.Where((_, t) => predicted[i][t]).ToArray(), tags, answers[i].ToString());
            for (int t = 0; t < TagData.Tags.Length; t++)
                Assert.AreEqual(scores[i][t], answers[i].GetProperty("scores").GetProperty(TagData.Tags[t]).GetSingle(), 1e-5f, answers[i].ToString());
            Assert.IsFalse(answers[i].TryGetProperty("label", out _), "a tagger answers tags, not one label");
        }
    }
}
