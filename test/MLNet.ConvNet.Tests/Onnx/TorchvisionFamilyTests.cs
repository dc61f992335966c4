using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Onnx;

/// <summary>
/// A small network of each family of torchvision's blocks (residual, depthwise with squeeze-excitation, concatenating,
/// channel-shuffling, LayerNorm; Scripts/torchvision_export.py builds them from torchvision's own modules and exports
/// them from PyTorch) is a citizen once imported: it agrees with ONNX Runtime, fine-tunes with its layers frozen first,
/// scores bit for bit after a save and a load in a fresh process, exports strictly to ONNX within 1e-5 of the
/// transformer, and explains itself (Grad-CAM, activations). Needs python3-torchvision (.ci/run installs it).
/// </summary>
[TestClass]
[TestCategory("Integration")]
public sealed class TorchvisionFamilyTests
{
    public static IEnumerable<object[]> Families =>
    [
        ["family_residual", "Add"],
        ["family_depthwise_se", "Multiply"],
        ["family_concat", "Concatenate"],
        ["family_shuffle", "ChannelShuffle"],
        ["family_layernorm", "LayerNormalization"],
    ];

    [TestMethod]
    [DynamicData(nameof(Families))]
    public void AFamilyNetwork_Imports_FineTunesFrozenFirst_SavesLoadsInAFreshProcess_AndExportsStrictly(string family, string layerType)
    {
        var (path, operators) = TorchvisionImportTests.Export(family, 32, "folded");
        var architecture = OnnxNetwork.Import(path, new OnnxImportOptions { Name = family });
        Assert.IsTrue(architecture.Layers.Any(l => l.TypeName == layerType), $"{family} has a {layerType} ({operators})");
        var random = new Random(5);
        var images = Enumerable.Range(0, 4 * architecture.InputShape.Size).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = TorchvisionImportTests.OnnxRuntime(path, images, architecture.InputShape);
        var imported = TorchvisionImportTests.Imported(architecture, images, 5);
        double scale = expected.Max(v => Math.Abs(v));
        Assert.IsTrue(expected.Zip(imported).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4 * scale, $"{family} agrees with ONNX Runtime");

        // Ten digits for a five-class file: a new head, the imported layers frozen for the first epoch.
        var ml = new MLContext(seed: 1);
        string data = TestData.DigitsAt32(96, seed: 3);
        var train = MnistDataset.Load(ml, data, MnistSplit.Train);
        ConvNetTrainer.Options Options(int epochs) => new()
        {
            Architecture = family, Epochs = epochs, BatchSize = 32, InputShape = new ImageShape(1, 32, 32),
            FineTuning = new FineTuning { HeadEpochs = 1 },
        };
        ArchitectureRegistry.Register(architecture, replace: true);
        var pretrained = architecture.GetPretrainedWeights(architecture.InputShape)!.ToDictionary(w => w.Name);
        using (var headOnly = ml.MulticlassClassification.Trainers.ConvNet(Options(1)).Fit(train))
        {
            var state = headOnly.Model.Network.State();
            var kept = state.Where(s => pretrained.TryGetValue(s.Name, out var w) && w.Shape.SequenceEqual(s.Tensor.shape)).ToList();
            Assert.IsTrue(kept.Count > 0 && kept.Count < state.Count, "the imported layers and a new head");
            foreach (var (name, tensor) in kept)
                CollectionAssert.AreEqual(pretrained[name].Values, tensor.data<float>().ToArray(), $"{name} stays frozen while the head trains");
        }
        using var model = ml.MulticlassClassification.Trainers.ConvNet(Options(2)).Fit(train);
        Assert.AreEqual(10, model.NumberOfClasses);
        StringAssert.Contains(model.Model.Summary, layerType);

        string zip = Path.Combine(TestData.TempDirectory(), $"{family}.zip");
        ml.Model.Save(model, train.Schema, zip);
        var test = MnistDataset.Load(ml, data, MnistSplit.Test);
        var scores = model.Transform(test).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();
        Assert.IsTrue(scores.All(float.IsFinite));
        SavedModelChecks.ScoresBitForBitInAFreshProcess(data, zip, scores);
        SavedModelChecks.StrictOnnxAgrees(ml, model, test, scores, family);

        var image = test.GetColumn<float[]>("Features").First();
        int predicted = scores.Take(10).Select((p, i) => (p, i)).Max().i;
        var gradCam = model.Model.GetGradCam(image, predicted);
        Assert.AreEqual(32 * 32, gradCam.Values.Length);
        StringAssert.StartsWith(gradCam.Method, "Grad-CAM on ");
        Assert.IsTrue(gradCam.Values.All(v => float.IsFinite(v) && v >= 0), gradCam.Method);
        Assert.AreEqual(scores[predicted], gradCam.Probability, 1e-5f, "the map explains the score the transformer gives");
        Assert.AreEqual(model.Model.Network.Layers.Count, model.Model.GetActivations(image).Count);
    }
}
