using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>A binary model, a regression and a tagger, saved, score bit for bit in a fresh process (the example's score command).</summary>
[TestClass]
[TestCategory("Integration")] // starts a process, reads MNIST
public sealed class TaskModelFileTests
{
    public static IEnumerable<object[]> Tasks => [["binary"], ["regression"], ["tagging"]];

    [TestMethod]
    [DynamicData(nameof(Tasks))]
    public void ASavedModel_ScoresBitForBit_InAFreshProcess(string task)
    {
        TestSetup.EnsureRegistered();
        var ml = new MLContext(seed: 1);
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, ValidationFraction = 0.2 };
        var training = task switch { "binary" => TaskData.Load(ml, 300), "regression" => TaskData.ForRegression(ml, 300), _ => TagData.Load(ml, 300) };
        ITransformer model = task switch
        {
            "binary" => ml.BinaryClassification.Trainers.ConvNet(options).Fit(training),
            "regression" => ml.Regression.Trainers.ConvNet(options).Fit(training),
            _ => ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, ValidationFraction = 0.2, TuneTagThresholds = true }).Fit(training),
        };
        string folder = TestData.TempDirectory();
        string zip = Path.Combine(folder, task + ".zip");
        ml.Model.Save(model, training.Schema, zip);
        // The example's score command scores MNIST's test split.
        var scored = model.Transform(TestData.Test(ml, 10_000));
        var expected = task == "tagging" ? scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray() : scored.GetColumn<float>("Score").ToArray();
        SavedModelChecks.ScoresBitForBitInAFreshProcess(TestData.MnistDirectory, zip, expected);
    }
}
