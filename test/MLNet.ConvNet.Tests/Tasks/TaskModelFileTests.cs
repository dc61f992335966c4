using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>A binary model and a regression, saved, score bit for bit in a fresh process (the example's score command).</summary>
[TestClass]
[TestCategory("Integration")] // starts a process, reads MNIST
public sealed class TaskModelFileTests
{
    public static IEnumerable<object[]> Tasks => [["binary"], ["regression"]];

    [TestMethod]
    [DynamicData(nameof(Tasks))]
    public void ASavedModel_ScoresBitForBit_InAFreshProcess(string task)
    {
        TestSetup.EnsureRegistered();
        var ml = new MLContext(seed: 1);
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, ValidationFraction = 0.2 };
        var training = task == "binary" ? TaskData.Load(ml, 300) : TaskData.ForRegression(ml, 300);
        ITransformer model = task == "binary" ? ml.BinaryClassification.Trainers.ConvNet(options).Fit(training) : ml.Regression.Trainers.ConvNet(options).Fit(training);
        string folder = TestData.TempDirectory();
        string zip = Path.Combine(folder, task + ".zip");
        ml.Model.Save(model, training.Schema, zip);
        // The example's score command scores MNIST's test split.
        var expected = model.Transform(TestData.Test(ml, 10_000)).GetColumn<float>("Score").ToArray();
        SavedModelChecks.ScoresBitForBitInAFreshProcess(TestData.MnistDirectory, zip, expected);
    }
}
