using MLNet.ConvNet.Data;

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
        // Training and scoring write nothing to standard error: libtorch's NNPACK warnings used to, several times.
        Assert.AreEqual("", errors, "the example wrote to standard error");
        StringAssert.Contains(output, "Trained SimpleConvNet on 3x64x64 images");
        StringAssert.Contains(output, "Test accuracy");
        var ml = new Microsoft.ML.MLContext();
        var engine = ml.Model.CreatePredictionEngine<ImagePathInput, ClassPrediction>(ml.Model.Load(Path.Combine(folder, "shapes.zip"), out _));
        string image = Directory.GetFiles(Path.Combine(folder, "shapes", "test"), "*.png", SearchOption.AllDirectories)[0];
        CollectionAssert.Contains(ColouredShapes.ClassNames.ToList(), engine.Predict(new ImagePathInput { ImagePath = image }).PredictedLabel, "the saved model takes a path alone and names the class");
        Assert.AreEqual(1200, Directory.GetFiles(Path.Combine(folder, "shapes", "train"), "*.png", SearchOption.AllDirectories).Length);
        Directory.Delete(folder, recursive: true);
    }

    private sealed class ImagePathInput
    {
        public string ImagePath { get; set; }
    }

    private sealed class ClassPrediction
    {
        public string PredictedLabel { get; set; }
    }
}
