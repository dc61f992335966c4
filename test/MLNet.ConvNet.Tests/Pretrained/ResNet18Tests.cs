using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Data;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Pretrained;

/// <summary>The ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18, imported, computes what ONNX Runtime computes from the same file.</summary>
[TestClass]
[TestCategory("Integration")] // reads the 45 MB network and runs it at 224x224
public sealed class ResNet18Tests
{
    private static string Folder => PretrainedNetworks.FindResNet18();

    [TestMethod]
    public void TheImportedResNet18_GivesOnnxRuntimesFeatures_Within1e4()
    {
        var architecture = PretrainedNetworks.ResNet18();
        var shape = new ImageShape(3, 224, 224);
        using var network = ConvNetModule.Create(architecture, shape, numberOfClasses: 5, seed: 1);
        network.LoadPretrained(architecture.GetPretrainedWeights(shape));
        network.eval();
        var random = new Random(7);
        const int images = 3;
        var pixels = Enumerable.Range(0, images * shape.Size).Select(_ => (float)random.NextDouble()).ToArray();

        // Ours: the global average pool of the last residual block, after the network's own preprocessing.
        int pool = network.Layers.ToList().FindIndex(l => l.Name == "head_pool");
        float[] ours = [];
        using (torch.inference_mode())
        using (var scope = torch.NewDisposeScope())
        {
            network.Forward(InputBatch.Images(pixels, 0, images, shape, torch.CPU), (i, output) =>
            {
                if (i == pool)
                    ours = output.data<float>().ToArray();
            });
        }

        // ONNX Runtime: the package's preprocessing on 0-255 RGB, then the package's ResNet18.
        using var prep = new InferenceSession(Path.Combine(Folder, "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        using var resnet = new InferenceSession(Path.Combine(Folder, "ResNet18Onnx", "ResNet18.onnx"));
        var theirs = new List<float>();
        for (int n = 0; n < images; n++)
        {
            var image = new DenseTensor<float>(pixels.AsSpan(n * shape.Size, shape.Size).ToArray().Select(p => p * 255f).ToArray(), [1, 3, 224, 224]);
            using var prepared = prep.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", image)]);
            var input = prepared.First().AsTensor<float>().ToDenseTensor();
            using var features = resnet.Run([NamedOnnxValue.CreateFromTensor("Input247", input)]);
            theirs.AddRange(features.First().AsTensor<float>().ToArray());
        }

        Assert.AreEqual(images * 512, ours.Length);
        double worst = ours.Zip(theirs).Max(p => Math.Abs(p.First - p.Second));
        Assert.IsTrue(worst <= 1e-4, $"largest difference {worst:E2} over {ours.Length} features (mean feature {theirs.Average():F3})");
        Console.WriteLine($"largest difference {worst:E2} over {ours.Length} features, mean feature {theirs.Average():F3}, largest {theirs.Max():F3}");
    }

    [TestMethod]
    public void ResNet18_HasTheImageNetNetworksLayersAndWeights()
    {
        var architecture = PretrainedNetworks.ResNet18();
        using var network = ConvNetModule.Create(architecture, new ImageShape(3, 64, 64), numberOfClasses: 10, seed: 1);
        var layers = network.Layers;
        // The package's network (a CNTK export) has 2, 2, 2 and 3 residual blocks in its four stages: 1 + 9 x 2 + 3 shortcut convolutions.
        Assert.AreEqual(22, layers.Count(l => l.TypeName == "Conv2D"));
        Assert.AreEqual(22, layers.Count(l => l.TypeName == "BatchNormalization"));
        Assert.AreEqual(9, layers.Count(l => l.TypeName == "Add"));
        Assert.IsTrue(network.IsGraph);
        // Every one of the file's 15,908,800 numbers (weights and running statistics), plus the head's 512 x 10 + 10.
        Assert.AreEqual(15_908_800 + 5_130, network.TotalParameters);
        StringAssert.Contains(network.Summary(), "Connected to");
    }

    [TestMethod]
    public void AFineTunedResNet18_SavesLoadsInAFreshProcessBitIdentically_AndExportsToOnnx()
    {
        var ml = new MLContext(seed: 1);
        string data = TestData.DigitsAt32(96, seed: 3);
        var train = MnistDataset.Load(ml, data, MnistSplit.Train);
        var options = ConvNetTrainer.Options.FineTuningRecipe();
        options.Epochs = 2;
        options.FineTuning = new FineTuning { HeadEpochs = 1 };
        options.InputShape = new ImageShape(1, 32, 32); // the IDX reader gives flat features
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        Assert.AreEqual(new ImageShape(1, 32, 32), model.Model.InputShape, "gray 32x32 digits, repeated into RGB by the network");
        string path = Path.Combine(TestData.TempDirectory(), "resnet18.zip");
        ml.Model.Save(model, train.Schema, path);
        var test = MnistDataset.Load(ml, data, MnistSplit.Test);
        var expected = model.Transform(test).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();

        // A fresh process: the example's score command loads the .zip (the architecture comes from its description).
        SavedModelChecks.ScoresBitForBitInAFreshProcess(data, path, expected);

        // ONNX: the preprocessing, the residual blocks and the head, scored by ONNX Runtime.
        SavedModelChecks.StrictOnnxAgrees(ml, model, test, expected, "resnet18");
    }
}
