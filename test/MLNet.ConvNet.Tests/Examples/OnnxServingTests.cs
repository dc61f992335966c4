using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Examples;

/// <summary>examples/OnnxServing predicts digits from an exported model with ONNX Runtime alone.</summary>
[TestClass]
[TestCategory("Integration")] // runs the serving sample as a process on MNIST
public sealed class OnnxServingTests
{
    [TestMethod]
    public void TheCommittedModel_ScoresTheMnistTestSet_WithoutLibtorch()
    {
        var (exitCode, output, errors) = TestData.Run(TestData.OnnxServingAssembly, "--mnist", TestData.MnistDirectory);
        Assert.AreEqual(0, exitCode, errors);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"(\d+) of 10000 MNIST test images correct");
        Assert.IsTrue(match.Success, output);
        Assert.IsTrue(int.Parse(match.Groups[1].Value) > 9700, output);
        Assert.IsFalse(File.Exists(Path.Combine(Path.GetDirectoryName(TestData.OnnxServingAssembly), "TorchSharp.dll")), "TorchSharp was copied beside the serving sample");
        Assert.IsFalse(File.Exists(Path.Combine(Path.GetDirectoryName(TestData.OnnxServingAssembly), "MLNet.ConvNet.dll")), "MLNet.ConvNet was copied beside the serving sample");
    }

    [TestMethod]
    public void AnExportedModel_PredictsImageFiles_AsTheConvNetTransformerDoes()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1 })
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel"))
            .Fit(TestData.Train(ml, 1000));
        string folder = TestData.TempDirectory();
        string onnx = Path.Combine(folder, "digits.onnx");
        using (var file = File.Create(onnx))
            ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(new List<Image>()), file);
        var test = MnistDataset.ReadSplit(TestData.MnistDirectory, MnistSplit.Test, 40);
        MnistPngExporter.Export(test, Path.Combine(folder, "png"), "test");
        var expected = model.Transform(TestData.Test(ml, 40)).GetColumn<string>("PredictedDigit").ToArray();

        var (exitCode, output, errors) = TestData.Run(TestData.OnnxServingAssembly, "--model", onnx, Path.Combine(folder, "png"));
        Assert.AreEqual(0, exitCode, errors);
        for (int i = 0; i < 40; i++)
        {
            string line = output.Split('\n').Single(l => l.Contains($"test-{i:D5}.png: "));
            StringAssert.Contains(line, $"test-{i:D5}.png: {expected[i]} (top 3: {expected[i]} ", $"image {i}");
        }
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void MissingFilesAndArguments_EndWithAMessageAndANonZeroExitCode()
    {
        var (exitCode, output, _) = TestData.Run(TestData.OnnxServingAssembly, "/no/such/digit.png");
        Assert.AreEqual(1, exitCode);
        StringAssert.Contains(output, "/no/such/digit.png: error: no such file or folder.");

        (exitCode, _, var errors) = TestData.Run(TestData.OnnxServingAssembly);
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "give --mnist DIR or at least one image or folder");

        (exitCode, _, errors) = TestData.Run(TestData.OnnxServingAssembly, "--model", "/no/such/model.onnx", "x.png");
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "No model at '/no/such/model.onnx'");
    }

    [TestMethod]
    public void TheServingSample_HasNoTorchSharpInItsDependencyGraph()
    {
        var start = new ProcessStartInfo("dotnet", ["list", Path.Combine(TestData.RepoRoot, "examples", "OnnxServing", "OnnxServing.csproj"), "package", "--include-transitive"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, output + process.StandardError.ReadToEnd());
        StringAssert.Contains(output, "Microsoft.ML.OnnxRuntime");
        foreach (var forbidden in new[] { "TorchSharp", "libtorch", "MLNet.ConvNet", "Microsoft.ML " })
            Assert.IsFalse(output.Contains(forbidden, StringComparison.OrdinalIgnoreCase), $"{forbidden} is in the serving sample's dependencies:\n{output}");
    }

    private sealed class Image
    {
        [VectorType(784)]
        public float[] Features { get; set; }
    }
}
