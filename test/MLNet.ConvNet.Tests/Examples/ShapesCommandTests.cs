namespace MLNet.ConvNet.Tests.Examples;

/// <summary>The main example's shapes command trains on RGB image files end to end.</summary>
[TestClass]
[TestCategory("Integration")] // runs the example as a process
public sealed class ShapesCommandTests
{
    [TestMethod]
    public void ShapesCommand_TrainsOnRgbFiles_AndSavesAModelThatReadsImagePaths()
    {
        string folder = TestData.TempDirectory();
        var (exitCode, output, errors) = TestData.Run(TestData.ScorerAssembly, "shapes", "--epochs", "1", "--out", folder);
        Assert.AreEqual(0, exitCode, errors);
        StringAssert.Contains(output, "Trained SimpleConvNet on 3x64x64 images");
        StringAssert.Contains(output, "Test accuracy");
        Assert.IsTrue(File.Exists(Path.Combine(folder, "shapes.zip")));
        Assert.AreEqual(1200, Directory.GetFiles(Path.Combine(folder, "shapes", "train"), "*.png", SearchOption.AllDirectories).Length);
        Directory.Delete(folder, recursive: true);
    }
}
