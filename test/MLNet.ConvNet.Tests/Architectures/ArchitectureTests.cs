using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Architectures;

[TestClass]
public sealed class ArchitectureTests
{
    /// <summary>The tutorial's per-layer parameter counts, layer by layer (pooling, padding and flatten have none).</summary>
    private static readonly Dictionary<string, long[]> TutorialCounts = new()
    {
        [SimpleConvNet.ArchitectureName] = [160, 0, 4_640, 0, 18_496, 0, 36_928, 650],
        [LeNot.ArchitectureName] = [0, 156, 0, 2_416, 0, 0, 48_120, 10_164, 850],
    };

    public static IEnumerable<object[]> Registered => TestSetup.RegisteredArchitectures;

    [TestMethod]
    [DataRow("SimpleConvNet", 60_874L)]
    [DataRow("LeNot", 61_706L)]
    public void ParameterCounts_MatchTheTutorial_LayerByLayerAndInTotal(string name, long total)
    {
        using var model = new ConvNetModule(ArchitectureRegistry.Get(name), 10);
        CollectionAssert.AreEqual(TutorialCounts[name], model.Layers.Select(l => l.Parameters).ToArray());
        Assert.AreEqual(total, model.TotalParameters);
        Assert.AreEqual(total, model.TrainableParameters);
    }

    [TestMethod]
    [DynamicData(nameof(Registered))]
    public void EveryArchitecture_SummaryAgreesWithTheModel(string name)
    {
        using var model = new ConvNetModule(ArchitectureRegistry.Get(name), 10);
        Assert.AreEqual(model.TotalParameters, model.Layers.Sum(l => l.Parameters));
        CollectionAssert.AreEqual(new long[] { 10 }, model.Layers[^1].OutputShape);
        string summary = model.Summary();
        StringAssert.Contains(summary, $"Model: \"{name}\"");
        StringAssert.Contains(summary, "Layer (type)");
        StringAssert.Contains(summary, "Output Shape");
        StringAssert.Contains(summary, "Param #");
        StringAssert.Contains(summary, $"Total params: {model.TotalParameters:N0}");
        StringAssert.Contains(summary, $"Trainable params: {model.TrainableParameters:N0}");
        StringAssert.Contains(summary, $"Non-trainable params: {model.TotalParameters - model.TrainableParameters:N0}");
        foreach (var layer in model.Layers)
            StringAssert.Contains(summary, $"{layer.Name} ({layer.TypeName})");
    }

    [TestMethod]
    [DynamicData(nameof(Registered))]
    public void EveryArchitecture_ProducesOneLogitPerClass(string name)
    {
        var architecture = ArchitectureRegistry.Get(name);
        using var model = new ConvNetModule(architecture, 7);
        var shape = architecture.InputShape;
        using var scope = torch.NewDisposeScope();
        var output = model.Probabilities(torch.rand(3, shape.Channels, shape.Height, shape.Width));
        CollectionAssert.AreEqual(new long[] { 3, 7 }, output.shape);
        var sums = output.sum(1).data<float>().ToArray();
        foreach (var sum in sums)
            Assert.AreEqual(1f, sum, 1e-5f);
    }

    [TestMethod]
    [DynamicData(nameof(Registered))]
    public void EveryArchitecture_InitialisesLikeKeras_GlorotUniformWeightsAndZeroBiases(string name)
    {
        torch.manual_seed(3);
        using var model = new ConvNetModule(ArchitectureRegistry.Get(name), 10);
        foreach (var (parameterName, parameter) in model.named_parameters())
        {
            var values = parameter.detach().data<float>().ToArray();
            if (parameterName.EndsWith(".bias"))
            {
                Assert.IsTrue(values.All(v => v == 0), $"{parameterName} should start at zero.");
                continue;
            }
            if (parameter.dim() == 1)
            {
                Assert.IsTrue(values.All(v => v == 1), $"{parameterName}, a batch normalisation's scale, should start at one, as Keras' gamma.");
                continue;
            }
            long fanOut = parameter.shape[0], fanIn = parameter.shape[1];
            long receptive = parameter.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
            double limit = Math.Sqrt(6.0 / ((fanIn + fanOut) * receptive));
            Assert.IsTrue(values.All(v => Math.Abs(v) <= limit + 1e-6), $"{parameterName} exceeds the Glorot limit {limit}.");
            // A uniform draw over [-limit, limit] reaches well past half the limit; the default Kaiming init would not.
            Assert.IsTrue(values.Max() > limit * 0.8 && values.Min() < -limit * 0.8, $"{parameterName} does not span the Glorot range.");
        }
    }

    [TestMethod]
    public void UserArchitecture_RegisteredFromOneFile_IsFoundAndSummarised()
    {
        TestSetup.EnsureRegistered();
        CollectionAssert.Contains(ArchitectureRegistry.Names.ToList(), TinyNet.ArchitectureName);
        using var model = new ConvNetModule(ArchitectureRegistry.Get("tinynet"), 10);
        // 3*3*1*8 + 8 = 80; 13*13*8 = 1,352 inputs to Dense(10): 13,530.
        CollectionAssert.AreEqual(new long[] { 80, 0, 0, 13_530 }, model.Layers.Select(l => l.Parameters).ToArray());
        StringAssert.Contains(model.Summary(), "Total params: 13,610");
    }

    [TestMethod]
    public void Registry_UnknownName_ListsTheKnownArchitectures()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ArchitectureRegistry.Get("ResNet"));
        StringAssert.Contains(error.Message, "Unknown architecture 'ResNet'");
        StringAssert.Contains(error.Message, "LeNot");
        StringAssert.Contains(error.Message, "SimpleConvNet");
    }

    [TestMethod]
    public void Registry_IsCaseInsensitive_AndRefusesADuplicateName()
    {
        Assert.AreEqual(LeNot.ArchitectureName, ArchitectureRegistry.Get("lenot").Name);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ArchitectureRegistry.Register(new LeNot()));
        StringAssert.Contains(error.Message, "already registered");
    }

    [TestMethod]
    public void Model_ArchitectureWithoutSoftmaxHead_IsRefusedWithTheReason()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new ConvNetModule(new HeadlessNet(), 10));
        StringAssert.Contains(error.Message, "must end with a Dense layer with Activation.Softmax");
    }

    [TestMethod]
    public void Model_LayersThatShrinkTheImageAway_AreRefusedWithTheShapes()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new ConvNetModule(new TooDeepNet(), 10));
        StringAssert.Contains(error.Message, "Conv2D");
        StringAssert.Contains(error.Message, "[16, 1, 1]");
    }

    [TestMethod]
    public void PoolingThatShrinksTheImageToNothing_EndsTheMessageAtTheUsefulSentence_AndKeepsLibtorchsDetailInside()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new ConvNetModule(new OverPooledNet(), 10));
        StringAssert.Contains(error.Message, "Layer 'max_pooling2d_1' (MaxPooling2D) of architecture 'OverPooled', on 1x3x3 images,");
        Assert.IsFalse(error.Message.Contains('\n'), "one paragraph, no C++ backtrace: " + error.Message);
        Assert.IsFalse(error.Message.Contains("Exception raised from"), error.Message);
        StringAssert.Contains(error.Message, "Output size is too small. The smallest square input it takes is 1x4x4.");
        Assert.IsNotNull(error.InnerException, "libtorch's exception stays reachable");
        StringAssert.Contains(error.InnerException.Message, "Exception raised from", "with its backtrace");
    }

    private sealed class OverPooledNet : ConvNetArchitecture
    {
        public override string Name => "OverPooled";
        public override ImageShape InputShape => new(1, 3, 3);
        public override int DefaultEpochs => 1;
        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
            [new MaxPooling2D(2), new MaxPooling2D(2), new Flatten(), new Dense(numberOfClasses) { Activation = Activation.Softmax }];
    }

    private sealed class HeadlessNet : ConvNetArchitecture
    {
        public override string Name => "Headless";
        public override ImageShape InputShape => new(1, 28, 28);
        public override int DefaultEpochs => 1;
        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) => [new Flatten(), new Dense(numberOfClasses)];
    }

    private sealed class TooDeepNet : ConvNetArchitecture
    {
        public override string Name => "TooDeep";
        public override ImageShape InputShape => new(1, 8, 8);
        public override int DefaultEpochs => 1;
        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
            [new Conv2D(16, 3), new MaxPooling2D(2), new MaxPooling2D(2), new Conv2D(16, 3), new Flatten(), new Dense(numberOfClasses) { Activation = Activation.Softmax }];
    }
}
