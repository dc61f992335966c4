using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using MLNet.ConvNet.SampleImages;
using MLNet.ConvNet.Tests.Onnx;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Pretrained;

/// <summary>
/// A user's own ONNX network becomes a backbone that fine-tunes like ResNet18 (<see cref="PretrainedNetworks.FromOnnx"/>):
/// torchvision's MobileNetV2 exported from PyTorch (random weights stand in for ImageNet's, which cannot be downloaded
/// here), with torchvision's ImageNet preprocessing in front. Needs python3-torchvision (.ci/run installs it).
/// </summary>
[TestClass]
[TestCategory("Integration")]
public sealed class OnnxBackboneTests
{
    [TestMethod]
    public void TheTable_HasResNet18First_WithItsSizesAndSource()
    {
        var row = PretrainedNetworks.All[0];
        Assert.AreEqual(PretrainedNetworks.ResNet18Name, row.Name);
        Assert.AreEqual(224, row.NativeSize);
        Assert.AreEqual(32, row.SmallestSize);
        StringAssert.Contains(row.Source, PretrainedNetworks.ResNet18Package);
    }

    [TestMethod]
    public void AUsersOnnxFile_WithItsPreprocessing_GivesTheFilesFeatures_AndFineTunesFrozenFirst()
    {
        var (path, _) = TorchvisionImportTests.Export("mobilenet_v2", 64, "folded");
        var (featuresPath, _) = TorchvisionImportTests.Export("mobilenet_v2", 64, "features");
        var backbone = PretrainedNetworks.FromOnnx(path, PretrainedNetworks.TorchvisionImageNet, name: "MyMobileNetV2");
        Assert.IsInstanceOfType<PixelNormalization>(backbone.Layers[0]);
        Assert.AreEqual("head", backbone.Layers[^1].Name, "the file's classifier is cut off and a new one put on");
        Assert.IsTrue(backbone.Layers.Take(backbone.Layers.Count - 3).All(l => l.Pretrained), "every layer before the new head is pretrained");

        // The backbone's pooled features for [0, 1] pixels are the file's features for the normalised pixels.
        var shape = backbone.InputShape;
        var random = new Random(6);
        var images = Enumerable.Range(0, 2 * shape.Size).Select(_ => (float)random.NextDouble()).ToArray();
        float[] mean = [0.485f, 0.456f, 0.406f], deviation = [0.229f, 0.224f, 0.225f];
        var normalised = images.Select((v, i) => (v - mean[i / (shape.Height * shape.Width) % 3]) / deviation[i / (shape.Height * shape.Width) % 3]).ToArray();
        var expected = TorchvisionImportTests.OnnxRuntime(featuresPath, normalised, shape);
        using var network = ConvNetModule.Create(backbone, shape, 4, seed: 1);
        network.LoadPretrained(backbone.GetPretrainedWeights(shape)!);
        network.eval();
        int pool = network.Layers.ToList().FindIndex(l => l.Name == "head_pool");
        float[] pooled = [];
        using (torch.NewDisposeScope())
        using (torch.inference_mode())
            network.Forward(InputBatch.Images(images, 0, 2, shape, torch.CPU), (i, output) => { if (i == pool) pooled = output.data<float>().ToArray(); });
        Assert.AreEqual(expected.Length, pooled.Length);
        double scale = expected.Max(v => Math.Abs(v));
        Assert.IsTrue(expected.Zip(pooled).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4 * scale, "the features agree with ONNX Runtime's");

        // Fine-tuned as FineTuningRecipe fine-tunes ResNet18: one head epoch leaves the backbone as the file has it.
        ArchitectureRegistry.Register(backbone, replace: true);
        var ml = new MLContext(seed: 1);
        var shapes = ColouredShapes.Load(ml, 64, shape, seed: 2);
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(shapes).Transform(shapes);
        var options = ConvNetTrainer.Options.FineTuningRecipe("MyMobileNetV2");
        options.Epochs = 1;
        options.FineTuning = new FineTuning { HeadEpochs = 1 };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        var file = backbone.GetPretrainedWeights(shape)!.ToDictionary(w => w.Name);
        var state = model.Model.Network.State().Where(s => file.ContainsKey(s.Name)).ToList();
        Assert.IsTrue(state.Count > 100);
        foreach (var (name, tensor) in state)
            CollectionAssert.AreEqual(file[name].Values, tensor.data<float>().ToArray(), $"{name} stays frozen while the head trains");
        Assert.AreEqual(ColouredShapes.ClassNames.Count, model.NumberOfClasses);
    }
}
