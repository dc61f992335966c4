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
        // It reads the test set a batch at a time: the peak stays near the runtime's and the model's own size.
        var peak = System.Text.RegularExpressions.Regex.Match(output, @"peak resident memory (\d+) MiB");
        Assert.IsTrue(peak.Success && int.Parse(peak.Groups[1].Value) < 300, output);
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
    public void AnRgbNonSquareImageModel_ExportedByTheExample_IsServedFromItsImageFiles_AsTheLibraryPredicts()
    {
        // A model that reads image paths of 3x40x48 coloured shapes, through the example's export-onnx (which exports
        // the network from its features on and records the shape and classes) and OnnxServing on the same PNG files.
        var ml = new MLContext(seed: 1);
        string folder = TestData.TempDirectory();
        var shape = new ImageShape(3, 40, 48);
        ColouredShapes.ExportPng(ColouredShapes.Generate(120, shape, seed: 1), shape, Path.Combine(folder, "train"));
        ColouredShapes.ExportPng(ColouredShapes.Generate(30, shape, seed: 2), shape, Path.Combine(folder, "test"));
        var images = ImageFolder.Load(ml, Path.Combine(folder, "train"));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(images).Transform(images);
        var model = ml.Transforms.ConvNetImageFeatures(shape)
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "SimpleConvNet", Epochs = 2, BatchSize = 16 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(keyed);
        string zip = Path.Combine(folder, "shapes.zip"), onnx = Path.Combine(folder, "shapes.onnx");
        ml.Model.Save(model, keyed.Schema, zip);
        var test = ImageFolder.Load(ml, Path.Combine(folder, "test"));
        var expected = model.Transform(test).GetColumn<string>("ImagePath").Zip(model.Transform(test).GetColumn<string>("PredictedLabel")).ToList();

        var (exported, exportOutput, exportErrors) = TestData.Run(TestData.ScorerAssembly, "export-onnx", zip, "--onnx-out", onnx);
        Assert.AreEqual(0, exported, exportErrors);
        StringAssert.Contains(exportOutput, "the file starts at the network's features (3x40x48 pixels");
        var (exitCode, output, errors) = TestData.Run(TestData.OnnxServingAssembly, "--model", onnx, Path.Combine(folder, "test"));
        Assert.AreEqual(0, exitCode, errors);
        foreach (var (path, label) in expected)
            StringAssert.Contains(output, $"{path}: {label} (top 3: {label} ", path);
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void AFileThatDoesNotSayItsShape_IsRefusedSayingWhatItHasAndWhatToPass()
    {
        // Plain ConvertToOnnx of a 3x8x8 network from flat features: 192 values, no recorded shape.
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(3, 8, 8);
        var data = ColouredShapes.Load(ml, 60, shape);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1, InputShape = shape })).Fit(data);
        string folder = TestData.TempDirectory();
        string onnx = Path.Combine(folder, "tiny.onnx");
        using (var file = File.Create(onnx))
            ml.Model.ConvertToOnnx(model.LastTransformer, ml.Data.LoadFromEnumerable(new List<Flat>()), file);
        var (exitCode, _, errors) = TestData.Run(TestData.OnnxServingAssembly, "--model", onnx, "x.png");
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "takes 192 feature values but does not say the image shape they hold");
        StringAssert.Contains(errors, "pass --shape CxHxW");
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

        // Bad image files are named and refused, never scored.
        string folder = TestData.TempDirectory();
        MnistPngExporter.Export(GeneratedDigits.Generate(1), folder, "digit");
        string whole = Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories)[0];
        byte[] bytes = File.ReadAllBytes(whole);
        string truncated = Path.Combine(folder, "truncated.png"), text = Path.Combine(folder, "notes.png"), empty = Path.Combine(folder, "empty.png");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        File.WriteAllText(text, "not an image");
        File.WriteAllBytes(empty, []);
        (exitCode, output, _) = TestData.Run(TestData.OnnxServingAssembly, whole, truncated, text, empty);
        Assert.AreEqual(1, exitCode, output);
        StringAssert.Contains(output, $"{truncated}: error: the image is truncated or damaged");
        StringAssert.Contains(output, $"{text}: error: not an image SkiaSharp can decode");
        StringAssert.Contains(output, $"{empty}: error: the file is empty (0 bytes).");
        StringAssert.Contains(output, $"{whole}: ");
        Directory.Delete(folder, recursive: true);
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

    private sealed class Flat
    {
        [VectorType(192)]
        public float[] Features { get; set; }
    }

    private sealed class Image
    {
        [VectorType(784)]
        public float[] Features { get; set; }
    }
}
