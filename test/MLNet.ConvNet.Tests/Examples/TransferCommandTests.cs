namespace MLNet.ConvNet.Tests.Examples;

/// <summary>The example's transfer command compares the three ways to learn from few images and prints the table.</summary>
[TestClass]
[TestCategory("Integration")] // runs the example as a process, with ML.NET's featurizer at 224x224
public sealed class TransferCommandTests
{
    [TestMethod]
    public void Transfer_OnAFewShapes_PrintsOneRowPerMethod_WithTheTrainingImagesAndTheAccuracy()
    {
        string folder = TestData.TempDirectory();
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "transfer", "--task", "shapes", "--shapes-per-class", "4",
            "--max-test-rows", "48", "--size", "32", "--epochs", "2", "--out", folder);
        Assert.AreEqual(0, exitCode, output + errors);
        StringAssert.Contains(output, "generated RGB shapes (6 classes, 64x64): 24 training images, 48 test images; ResNet18 at 32x32; seed 1.");
        StringAssert.Contains(output, "| method | training images | test accuracy (%) | seconds (training + scoring) |");
        foreach (var method in new[] { "fine-tuned ResNet18", "ResNet18 features + L-BFGS (ML.NET)", "SimpleConvNet from scratch" })
            StringAssert.Matches(output, new System.Text.RegularExpressions.Regex($@"\| {System.Text.RegularExpressions.Regex.Escape(method)} \| 24 \| \d+\.\d\d \| \d+ \+ \d+ \|"));
        Directory.Delete(folder, recursive: true);
    }
}
