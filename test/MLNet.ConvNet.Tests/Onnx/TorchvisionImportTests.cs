using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.ConvNet.Architectures;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Onnx;

/// <summary>
/// Classifiers exported from PyTorch as its users export them (torchvision's definitions with random weights,
/// <c>torch.onnx.export</c> at opset 13; Scripts/torchvision_export.py) import into networks whose outputs are ONNX
/// Runtime's for the same file. Needs Debian's python3-torchvision (.ci/run installs it); without it, inconclusive.
/// </summary>
[TestClass]
[TestCategory("Integration")]
public sealed class TorchvisionImportTests
{
    internal static readonly Lazy<bool> HasTorchvision = new(() => TestData.PythonHas("torchvision, onnx"));

    /// <summary>The file the export script writes for <paramref name="name"/> at <paramref name="size"/>, and the operators it printed.</summary>
    internal static (string Path, string Operators) Export(string name, int size, string mode, int opset = 13)
    {
        if (!HasTorchvision.Value)
            Assert.Inconclusive("No /usr/bin/python3 with torchvision and onnx (apt-get install python3-torchvision python3-onnx; .ci/run installs them): nothing was exported.");
        string path = Path.Combine(TestData.TempDirectory(), $"{name}-{mode}-{size}-opset{opset}.onnx");
        string script = Path.Combine(TestData.RepoRoot, "test", "MLNet.ConvNet.Tests", "Onnx", "Scripts", "torchvision_export.py");
        var (exitCode, output, errors) = TestData.RunProgram("/usr/bin/python3", [], script, name, size.ToString(), mode, path, opset.ToString());
        Assert.AreEqual(0, exitCode, output + errors);
        return (path, output.Trim());
    }

    /// <summary>ONNX Runtime's outputs for <paramref name="images"/> (image after image).</summary>
    internal static float[] OnnxRuntime(string path, float[] images, ImageShape shape)
    {
        using var session = new InferenceSession(path);
        var input = new DenseTensor<float>(images, [images.Length / shape.Size, shape.Channels, shape.Height, shape.Width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    /// <summary>The imported network's outputs (before any softmax), started from the file's weights.</summary>
    internal static float[] Imported(GraphArchitecture architecture, float[] images, int classes)
    {
        using var network = ConvNetModule.Create(architecture, architecture.InputShape, classes, seed: 1);
        Assert.AreEqual(architecture.GetPretrainedWeights(architecture.InputShape).Count, network.LoadPretrained(architecture.GetPretrainedWeights(architecture.InputShape)), "every weight of the file is loaded");
        network.eval();
        using var scope = torch.NewDisposeScope();
        using var mode = torch.inference_mode();
        return network.forward(InputBatch.Images(images, 0, images.Length / architecture.InputShape.Size, architecture.InputShape, torch.CPU)).data<float>().ToArray();
    }

    /// <summary>The twelve classifiers of torchvision 0.14 that export, by family: residual, depthwise with squeeze-excitation, concatenating, shuffling, LayerNorm.</summary>
    public static readonly string[] Zoo =
    [
        "resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0", "densenet121", "squeezenet1_1",
        "shufflenet_v2_x1_0", "regnet_y_400mf", "convnext_tiny", "mnasnet0_5", "googlenet",
    ];

    /// <summary>
    /// Every classifier at 64x64 and 224x224 (opset 13, batch normalisations folded); three with them kept; and two at
    /// opset 17, where PyTorch writes LayerNormalization and HardSwish as single operators.
    /// </summary>
    public static IEnumerable<object[]> Exports =>
        Zoo.Select(name => new object[] { name, "folded", 64, 13 })
            .Concat(Zoo.Select(name => new object[] { name, "folded", 224, 13 }))
            .Concat([["resnet18", "kept", 64, 13], ["mobilenet_v2", "kept", 64, 13], ["densenet121", "kept", 64, 13]])
            .Concat([["convnext_tiny", "folded", 64, 17], ["mobilenet_v3_small", "folded", 64, 17]]);

    [TestMethod]
    [DynamicData(nameof(Exports))]
    public void AClassifierExportedByPyTorch_Imports_AndGivesOnnxRuntimesOutputs(string name, string mode, int size, int opset)
    {
        var (path, operators) = Export(name, size, mode, opset);
        if (mode == "kept")
            StringAssert.Contains(operators, "'BatchNormalization'", "the export kept its batch normalisations");
        if (opset == 17)
            StringAssert.Contains(operators, name.StartsWith("convnext", StringComparison.Ordinal) ? "'LayerNormalization'" : "'HardSwish'", "opset 17 writes the single operator");
        var architecture = OnnxNetwork.Import(path);
        Assert.AreEqual(new ImageShape(3, size, size), architecture.InputShape);

        var random = new Random(4);
        var images = Enumerable.Range(0, 3 * architecture.InputShape.Size).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = OnnxRuntime(path, images, architecture.InputShape);
        var actual = Imported(architecture, images, 10);
        Assert.AreEqual(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs(v));
        double largest = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Console.WriteLine($"{name} {mode} {size}x{size} opset {opset}: {architecture.Layers.Count} layers, largest difference {largest / scale:E2} of the output scale {scale:E2}");
        Assert.IsTrue(largest <= 1e-4 * scale, $"largest difference {largest:E2} for outputs up to {scale:E2} ({operators})");
    }
}
