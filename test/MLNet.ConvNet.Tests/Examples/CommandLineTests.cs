using Microsoft.ML;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Examples;

/// <summary>The samples' command lines: help with every option and its default, clear errors, exit codes.</summary>
[TestClass]
[TestCategory("Integration")] // runs the example as a process on MNIST
public sealed class CommandLineTests
{
    [TestMethod]
    [DataRow("--help")]
    [DataRow("-h")]
    [DataRow("help")]
    public void MnistConvNet_Help_ListsTheCommandsAndTheOptionsWithTheirDefaults(string help)
    {
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, help);
        Assert.AreEqual(0, exitCode, errors);
        foreach (var expected in new[] { "--data", "--out", "[default: models]", "[default: SimpleConvNet,LeNot]", "--epochs", "[default: 1]", "evaluate", "score", "export-onnx", "export-png", "images", "shapes", "early-stopping", "recipe", "report", "warm-start", "transfer" })
            StringAssert.Contains(output, expected);
    }

    [TestMethod]
    [DataRow("score", "--scores-out", "(REQUIRED)", "--max-test-rows")]
    [DataRow("early-stopping", "--patience", "[default: 4]", "[default: 0.05]")]
    [DataRow("recipe", "--seeds", "[default: 1,2,3]", "--no-augmentation")]
    [DataRow("report", "--model", "--max-test-rows", "[default: models]")]
    [DataRow("export-png", "--split", "[default: Test]", "--max-train-rows")]
    [DataRow("shapes", "--epochs", "[default: 1]", "--out")]
    public void EveryCommandsHelp_ListsItsOptions(string command, string a, string b, string c)
    {
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, command, "--help");
        Assert.AreEqual(0, exitCode, errors);
        foreach (var expected in new[] { a, b, c })
            StringAssert.Contains(output, expected);
    }

    [TestMethod]
    public void AnUnknownOption_IsAnErrorWithANonZeroExitCode()
    {
        var (exitCode, _, errors) = TestData.Run(TestData.ScorerAssembly, "--learning-rate", "0.1");
        Assert.AreNotEqual(0, exitCode);
        StringAssert.Contains(errors, "Unrecognized command or argument '--learning-rate'");
    }

    [TestMethod]
    [DataRow("--epochs", "abc", "--epochs takes a whole number of at least 1; got 'abc'.")]
    [DataRow("--epochs", "0", "--epochs takes a whole number of at least 1; got '0'.")]
    [DataRow("--max-train-rows", "-5", "--max-train-rows takes a whole number of at least 1; got '-5'.")]
    public void ABadNumber_IsRefusedByItsOptionsName_BeforeAnythingIsPrinted(string option, string value, string expected)
    {
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "--data", TestData.MnistDirectory, option, value);
        Assert.AreNotEqual(0, exitCode);
        StringAssert.Contains(errors, expected);
        Assert.IsFalse(errors.Contains("System.Nullable", StringComparison.Ordinal), errors);
        // System.CommandLine shows the usage after a parse error; nothing else runs.
        Assert.IsFalse(output.Contains("MNIST from", StringComparison.Ordinal) || output.Contains("Total params", StringComparison.Ordinal), output);
    }

    [TestMethod]
    public void AMissingDataFolder_IsRefused_BeforeAnythingIsPrinted()
    {
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "--data", "/no/such/mnist", "--epochs", "1");
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "error: The MNIST folder '/no/such/mnist' does not exist");
        Assert.AreEqual("", output.Trim(), "no 'MNIST from ...' before the error");
    }

    [TestMethod]
    public void WarmStart_CarriesTheOptimizersState_SoTwoRunsGiveTheStraightRunsWeights()
    {
        string folder = TestData.TempDirectory();
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "warm-start", "--data", TestData.MnistDirectory, "--architectures", "LeNot",
            "--epochs", "1", "--max-train-rows", "600", "--max-test-rows", "200", "--out", folder);
        Assert.AreEqual(0, exitCode, output + errors);
        StringAssert.Contains(output, "| LeNot | 1 + 1 in this process (optimizer state carried) |");
        StringAssert.Contains(output, "the straight run's, bit for bit");
        StringAssert.Contains(output, "| LeNot | 1, saved and loaded, + 1 (fresh optimizer state) |");
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void Score_SaysWhatItWroteAndHow()
    {
        var ml = new MLContext(1);
        string folder = TestData.TempDirectory();
        string model = Path.Combine(folder, "m.zip");
        var train = TestData.Train(ml, 64);
        using (var fitted = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(train))
            ml.Model.Save(fitted, train.Schema, model);
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "score", "--data", TestData.MnistDirectory, "--max-test-rows", "7", "--scores-out", Path.Combine(folder, "s.bin"), model);
        Assert.AreEqual(0, exitCode, errors);
        StringAssert.Contains(output, "Wrote 7 rows x 10 scores to");
        StringAssert.Contains(output, "float32, little-endian, one row after another (280 bytes)");
        Assert.AreEqual(280, new FileInfo(Path.Combine(folder, "s.bin")).Length);
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void DigitPredictor_PredictsEveryImageInAFolder_AndAnEmptyFolderIsAnError()
    {
        var ml = new MLContext(1);
        string folder = TestData.TempDirectory();
        MnistPngExporter.Export(MnistDataset.ReadSplit(TestData.MnistDirectory, MnistSplit.Test, 12), Path.Combine(folder, "png"), "test");
        var images = ImageFolder.Load(ml, Path.Combine(folder, "png"));
        // As the example's images command: the label mapping stays out of the saved model, which reads image paths only.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(images).Transform(images);
        var model = ml.Transforms.ConvNetImageFeatures()
            .Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 1))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(keyed);
        string path = Path.Combine(folder, "digits.zip");
        ml.Model.Save(model, images.Schema, path);

        var (exitCode, output, errors) = TestData.Run(TestData.DigitPredictorAssembly, path, Path.Combine(folder, "png"));
        Assert.AreEqual(0, exitCode, errors + output);
        Assert.AreEqual(12, output.Split('\n').Count(l => l.Contains(".png: ")), output);

        Directory.CreateDirectory(Path.Combine(folder, "empty"));
        (exitCode, _, errors) = TestData.Run(TestData.DigitPredictorAssembly, path, Path.Combine(folder, "empty"));
        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(errors, "holds no images");
        Directory.Delete(folder, recursive: true);
    }
}
