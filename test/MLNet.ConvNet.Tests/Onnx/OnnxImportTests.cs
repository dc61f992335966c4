using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using Onnx;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Onnx;

/// <summary>ONNX in: this library's own exports come back as the same networks, and what the import cannot read is named.</summary>
[TestClass]
public sealed class OnnxImportTests
{
    private sealed class Image
    {
        [VectorType(784)] public float[] Features { get; set; }
    }

    /// <summary>The model exported by ConvertToStrictOnnx (with ML.NET's nodes after the network) to a temporary file.</summary>
    private static string Export(ConvNetTransformer model)
    {
        var ml = TrainedModels.Ml;
        string path = Path.Combine(TestData.TempDirectory(), model.ArchitectureName + ".onnx");
        ml.Model.ConvertToStrictOnnx(model, ml.Data.LoadFromEnumerable(new List<Image>()), path);
        return path;
    }

    /// <summary>The probabilities of <paramref name="architecture"/> started from its pretrained weights, for <paramref name="features"/>.</summary>
    private static float[] Score(GraphArchitecture architecture, float[] features, int classes)
    {
        using var network = ConvNetModule.Create(architecture, architecture.InputShape, classes, seed: 3);
        network.LoadPretrained(architecture.GetPretrainedWeights(architecture.InputShape));
        network.eval();
        using var scope = torch.NewDisposeScope();
        using var mode = torch.inference_mode();
        return network.Probabilities(InputBatch.Images(features, 0, features.Length / architecture.InputShape.Size, architecture.InputShape, torch.CPU)).data<float>().ToArray();
    }

    public static IEnumerable<object[]> Exported => [["SimpleConvNet"], ["LeNot"]];

    [TestMethod]
    [DynamicData(nameof(Exported))]
    public void OurOwnExport_ImportedAgain_ScoresAsTheOriginal(string name)
    {
        var model = name == "LeNot" ? TrainedModels.LeNot : TrainedModels.SimpleConvNet;
        var imported = OnnxNetwork.Import(Export(model));
        Assert.AreEqual(name, imported.Name);
        Assert.AreEqual(new ImageShape(1, 28, 28), imported.InputShape, "the shape from the export's first Reshape");
        CollectionAssert.AreEqual(model.Model.Layers.Select(l => l.TypeName).ToArray(), imported.Layers.Select(l => l.TypeName).ToArray(), "the same layers in the same order");
        Assert.IsTrue(imported.Layers[^1] is Dense { Activation: var softmax } && softmax == Activation.Softmax, "the softmax folded into the last dense layer");

        var test = TestData.Digits(TrainedModels.Ml, 50, seed: 2);
        var expected = model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var scores = Score(imported, test.GetColumn<float[]>("Features").SelectMany(f => f).ToArray(), 10);
        double largest = expected.Zip(scores).Max(p => Math.Abs(p.First - p.Second));
        Assert.IsTrue(largest <= 1e-6, $"largest difference {largest:E2}");
    }

    [TestMethod]
    public void AnImportedClassifier_TrainsForOtherClasses_WithANewHead_AndSavesWithItsDescription()
    {
        var imported = OnnxNetwork.Import(Export(TrainedModels.SimpleConvNet), new OnnxImportOptions { Name = "ImportedSimple" });
        ArchitectureRegistry.Register(imported, replace: true);
        var ml = new MLContext(seed: 1);
        // Three digits only: the 10-unit head is replaced by a 3-unit one, every other layer starts from the import.
        var digits = TestData.Digits(ml, 300);
        var three = ml.Data.FilterByCustomPredicate<DigitRow>(ml.Transforms.Conversion.MapKeyToValue("Digit", "Label").Fit(digits).Transform(digits), r => r.Digit is not ("0" or "1" or "2"));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Digit").Fit(three).Transform(ml.Transforms.DropColumns("Label").Fit(three).Transform(three));
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "ImportedSimple", Epochs = 2, FineTuning = new FineTuning { HeadEpochs = 1 } }).Fit(keyed);
        Assert.AreEqual(3, model.NumberOfClasses);

        using var file = new MemoryStream();
        ml.Model.Save(model, keyed.Schema, file);
        file.Position = 0;
        using var loaded = (ConvNetTransformer)ml.Model.Load(file, out _);
        Assert.IsInstanceOfType<GraphArchitecture>(loaded.Model.Architecture);
        CollectionAssert.AreEqual(TestData.Weights(model), TestData.Weights(loaded));
    }

    [TestMethod]
    public void AnOperatorTheImportDoesNotRead_IsRefused_NamingItTheNodeAndTheFile()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Export(TrainedModels.LeNot)));
        // Put a local response normalisation after the first convolution.
        var graph = model.Graph;
        var conv = graph.Node.First(n => n.OpType == "Conv");
        string original = conv.Output[0];
        conv.Output[0] = original + ".raw";
        var lrn = new NodeProto { OpType = "LRN", Name = "odd_norm" };
        lrn.Input.Add(original + ".raw");
        lrn.Output.Add(original);
        lrn.Attribute.Add(new AttributeProto { Name = "size", I = 3, Type = AttributeProto.Types.AttributeType.Int });
        graph.Node.Insert(graph.Node.IndexOf(conv) + 1, lrn);
        string path = Path.Combine(TestData.TempDirectory(), "with-lrn.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));

        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxNetwork.Import(path));
        StringAssert.Contains(error.Message, "The ONNX file 'with-lrn.onnx' uses the operator 'LRN' at node 'odd_norm', which the import does not read.");
        StringAssert.Contains(error.Message, "It reads: " + string.Join(", ", OnnxNetwork.SupportedOperators) + ".");
        CollectionAssert.IsSubsetOf(new[] { "Conv", "BatchNormalization", "Concat", "Clip", "HardSigmoid", "Mul", "ReduceMean", "Slice" }, OnnxNetwork.SupportedOperators.ToArray());
    }

    [TestMethod]
    public void AnUnreadableSetting_IsRefused_NamingTheSetting()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Export(TrainedModels.LeNot)));
        var conv = model.Graph.Node.First(n => n.OpType == "Conv");
        var dilations = new AttributeProto { Name = "dilations", Type = AttributeProto.Types.AttributeType.Ints };
        dilations.Ints.AddRange([1, 2]);
        conv.Attribute.Add(dilations);
        string path = Path.Combine(TestData.TempDirectory(), "dilated.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxNetwork.Import(path));
        StringAssert.Contains(error.Message, "has a Conv at node");
        StringAssert.Contains(error.Message, "with dilations of [1, 2]; only equal dilations are read.");
    }

    [TestMethod]
    public void GroupsThatDoNotDivideTheChannels_AreRefused_WithTheShapeTheyMeet()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Export(TrainedModels.LeNot)));
        model.Graph.Node.First(n => n.OpType == "Conv").Attribute.Add(new AttributeProto { Name = "group", I = 2, Type = AttributeProto.Types.AttributeType.Int });
        string path = Path.Combine(TestData.TempDirectory(), "grouped.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxNetwork.Import(path));
        StringAssert.Contains(error.Message, "The ONNX file 'grouped.onnx' has a Conv at node");
        StringAssert.Contains(error.Message, "Conv2D with 2 groups needs input channels that divide by 2, got [1, 32, 32].");
    }

    [TestMethod]
    public void NotAnOnnxFile_OrNoFile_SaysSo()
    {
        string text = Path.Combine(TestData.TempDirectory(), "notes.onnx");
        File.WriteAllText(text, "not a model");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => OnnxNetwork.Import(text));
        StringAssert.Contains(error.Message, "is not an ONNX model");
        Assert.ThrowsExactly<FileNotFoundException>(() => OnnxNetwork.Import("/no/such/model.onnx"));
    }

    private sealed class DigitRow
    {
        public string Digit { get; set; }
    }
}
