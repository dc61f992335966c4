namespace MLNet.ConvNet.Tests.Examples;

/// <summary>The main example's report command, trained on a slice; the pictures themselves are tested in MLNet.ConvNet.Plots.Tests.</summary>
[TestClass]
[TestCategory("Integration")] // runs the example as a process on MNIST
public sealed class ReportCommandTests
{
    [TestMethod]
    public void Report_TrainsAModel_AndWritesThePageWithItsPictures_ThenReportsOnTheSavedModel()
    {
        string folder = TestData.TempDirectory();
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "report", "--data", TestData.MnistDirectory, "--architectures", "LeNot",
            "--epochs", "1", "--max-train-rows", "500", "--max-test-rows", "100", "--out", folder);
        Assert.AreEqual(0, exitCode, errors);
        StringAssert.Contains(output, "Trained LeNot");
        string index = Path.Combine(folder, "report", "index.html");
        StringAssert.Contains(output, $"Wrote {index} with ");
        foreach (var picture in new[] { "curves", "confusion", "confusion-normalized", "filters", "activations-conv2d", "saliency" })
            StringAssert.Contains(File.ReadAllText(index), $"src=\"{picture}.png\"");

        var (again, secondOutput, secondErrors) = TestData.Run(TestData.ScorerAssembly, "report", "--data", TestData.MnistDirectory, "--max-test-rows", "100",
            "--model", Path.Combine(folder, "lenot-report.zip"), "--out", folder);
        Assert.AreEqual(0, again, secondErrors);
        StringAssert.Contains(secondOutput, "Loaded ");
        Directory.Delete(folder, recursive: true);
    }
}
