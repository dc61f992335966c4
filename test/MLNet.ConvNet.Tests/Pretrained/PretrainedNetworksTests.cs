using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.Pretrained;

/// <summary>Where the pretrained weights come from, and what is said when they are missing or do not fit.</summary>
[TestClass]
public sealed class PretrainedNetworksTests
{
    [TestMethod]
    public void AFolderWithoutTheResNet18Files_SaysWhereItLookedAndWhichPackageHoldsThem()
    {
        string empty = TestData.TempDirectory();
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => PretrainedNetworks.FindResNet18(empty));
        StringAssert.Contains(error.Message, $"is not in '{empty}'");
        StringAssert.Contains(error.Message, "dotnet add package Microsoft.ML.DnnImageFeaturizer.ResNet18 (version 0.24.0 on ML.NET 6, 0.23.1 on ML.NET 5.0.1");
        Assert.ThrowsExactly<FileNotFoundException>(() => PretrainedNetworks.ResNet18(empty));
    }

    [TestMethod]
    public void PretrainedWeightsThatDoNotFit_NameTheTensorAndBothShapes()
    {
        var architecture = new GraphArchitecture("Misfit", new ImageShape(1, 28, 28),
        [
            new Conv2D(8, 3) { Name = "features", Pretrained = true },
            new GlobalAveragePooling2D(),
            new Dense(10) { Activation = Activation.Softmax },
        ], pretrainedWeights: [new WeightTensor("features.weight", [8, 1, 5, 5], new float[200]), new WeightTensor("features.bias", [8], new float[8])]);
        using var network = ConvNetModule.Create(architecture, architecture.InputShape, 10, seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => network.LoadPretrained(architecture.GetPretrainedWeights(architecture.InputShape)));
        StringAssert.Contains(error.Message, "give 'features.weight' the shape [8, 1, 5, 5], but the network built for 1x28x28 images needs [8, 1, 3, 3]");

        var missing = new GraphArchitecture("Missing", new ImageShape(1, 28, 28), architecture.Layers, pretrainedWeights: []);
        using var other = ConvNetModule.Create(missing, missing.InputShape, 10, seed: 1);
        error = Assert.ThrowsExactly<ArgumentException>(() => other.LoadPretrained(missing.GetPretrainedWeights(missing.InputShape)));
        StringAssert.Contains(error.Message, "have no 'features.weight', which the pretrained layer 'features' needs ([8, 1, 3, 3])");
    }

    [TestMethod]
    public void AGraphArchitecture_WritesAndReadsItsDescription_LayerForLayer()
    {
        var architecture = new GraphArchitecture("Described", new ImageShape(3, 32, 32),
        [
            new PixelNormalization([1f, 2f, 3f], [4f, 5f, 6f], 255, [2, 1, 0]) { MeanImageSize = (32, 32), Pretrained = true, Name = "prep" },
            new Conv2D(8, 3, 2) { ExplicitPadding = new Padding2D(1, 0, 1, 0), UseBias = false, Activation = Activation.LeakyRelu },
            new BatchNormalization(0.9, 1e-5),
            new MaxPooling2D(3) { Strides = 2, ExplicitPadding = new Padding2D(1, 0, 1, 0) },
            new Conv2D(8, 3, padding: ConvPadding.Same) { Name = "branch" },
            new Add { Inputs = ["branch", "max_pooling2d"], Activation = Activation.Relu },
            new Identity { Activation = Activation.Tanh },
            new AveragePooling2D(2, 1) { ExplicitPadding = new Padding2D(1) },
            new ZeroPadding2D(1),
            new Dropout(0.25),
            new GlobalAveragePooling2D(),
            new Flatten(),
            new Dense(4) { Activation = Activation.Softmax },
        ], defaultEpochs: 7);
        Assert.IsTrue(ArchitectureFormat.CanDescribe(architecture));
        string text = ArchitectureFormat.Write(architecture);
        var read = ArchitectureFormat.Read(text);
        Assert.AreEqual(text, ArchitectureFormat.Write(read), "written again, the description is the same");
        using var original = ConvNetModule.Create(architecture, architecture.InputShape, 4, seed: 2);
        using var copy = ConvNetModule.Create(read, read.InputShape, 4, seed: 2);
        Assert.AreEqual(original.Summary(), copy.Summary());
        CollectionAssert.AreEqual(original.SnapshotWeights().SelectMany(w => w.Values).ToArray(), copy.SnapshotWeights().SelectMany(w => w.Values).ToArray());

        var corrupt = Assert.ThrowsExactly<InvalidDataException>(() => ArchitectureFormat.Read(text.Replace("\"Conv2D\"", "\"Conv3D\"")));
        StringAssert.Contains(corrupt.Message, "a layer of type 'Conv3D', which this MLNet.ConvNet does not know");
    }
}
