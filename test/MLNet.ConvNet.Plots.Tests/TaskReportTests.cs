using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.SampleImages;

namespace MLNet.ConvNet.Plots.Tests;

/// <summary>
/// The report of a binary model, a regression and a tagger: each task's metrics (ML.NET's evaluator of its catalog,
/// EvaluateMultiLabel for tags) and pictures in place of the confusion matrix; and the ROC and calibration arithmetic.
/// </summary>
[TestClass]
public sealed class TaskReportTests
{
    private sealed class Row
    {
        public bool IsSmall { get; set; }

        public float Digit { get; set; }

        [VectorType(2)] public bool[] Tags { get; set; }

        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    private static IDataView Digits(MLContext ml, int count, int seed)
    {
        var digits = GeneratedDigits.Generate(count, seed);
        return ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Row
        {
            IsSmall = digits.Labels[i] < 5,
            Digit = digits.Labels[i],
            Tags = [digits.Labels[i] < 5, digits.Labels[i] % 2 == 0],
            Features = digits.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray(),
        }).ToList());
    }

    public static IEnumerable<object[]> Tasks => [["binary"], ["regression"], ["tagging"]];

    [TestMethod]
    [DynamicData(nameof(Tasks))]
    public void EachTasksPage_HasItsMetricsAndPictures_InPlaceOfTheConfusionMatrix(string task)
    {
        var ml = new MLContext(1);
        var train = Digits(ml, 600, 1);
        var test = Digits(ml, 200, 2);
        string label = task switch { "binary" => "IsSmall", "regression" => "Digit", _ => "Tags" };
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 2, LabelColumnName = label, ValidationFraction = task == "binary" ? 0.2 : 0 };
        var trainer = task switch
        {
            "binary" => ml.BinaryClassification.Trainers.ConvNet(options),
            "regression" => ml.Regression.Trainers.ConvNet(options),
            _ => ml.MulticlassClassification.Trainers.ConvNetMultiLabel(options),
        };
        using var model = trainer.Fit(train);
        string directory = Fixture.TempDirectory();
        var report = ConvNetReport.Write(model, test, directory, new ReportOptions { LabelColumnName = label, SaliencyImages = 2, WrongImages = 6 });
        string html = File.ReadAllText(report.IndexPath);
        string[] own = task switch { "binary" => ["roc", "reliability"], "regression" => ["predicted"], _ => ["roc"] };
        CollectionAssert.IsSubsetOf(own.Concat(["curves", "filters", "saliency"]).ToList(), report.Pictures.Keys.ToList());
        Assert.IsFalse(report.Pictures.ContainsKey("confusion") || html.Contains("Confusion matrix"), "no confusion matrix outside multiclass");
        var images = Regex.Matches(html, "<img src=\"([^\"]+)\" width=\"(\\d+)\" height=\"(\\d+)\"").ToList();
        Assert.AreEqual(report.Pictures.Count, images.Count, "every picture is on the page once");
        foreach (var image in images)
        {
            using var bitmap = Fixture.Decode(Path.Combine(directory, image.Groups[1].Value));
            Assert.AreEqual((int.Parse(image.Groups[2].Value), int.Parse(image.Groups[3].Value)), (bitmap.Width, bitmap.Height), image.Groups[1].Value);
        }
        var scored = model.Transform(test);
        switch (task)
        {
            case "binary":
                var binary = ml.BinaryClassification.Evaluate(scored, label);
                Assert.AreEqual(binary.AreaUnderRocCurve, report.Metrics["AUC"], 1e-12, "ML.NET's AUC");
                Assert.AreEqual(binary.Accuracy, report.MicroAccuracy, 1e-12);
                var labels = scored.GetColumn<bool>(label).ToArray();
                var (_, auc) = TaskPlots.Roc(scored.GetColumn<float>("Score").ToArray(), labels);
                Assert.AreEqual(binary.AreaUnderRocCurve, auc, 1e-9, "the drawn curve's area is ML.NET's AUC");
                Assert.AreEqual(TaskPlots.Calibration(scored.GetColumn<float>("Probability").ToArray(), labels, 10).Ece, report.Metrics["expected calibration error"], 1e-12);
                StringAssert.Contains(html, "ROC and calibration");
                break;
            case "regression":
                var regression = ml.Regression.Evaluate(scored, label);
                Assert.AreEqual(regression.MeanAbsoluteError, report.Metrics["MAE"], 1e-9);
                Assert.IsTrue(double.IsNaN(report.MicroAccuracy), "a regression has no accuracy");
                StringAssert.Contains(html, "Predicted against true");
                StringAssert.Contains(html, "largest errors");
                break;
            default:
                var tags = ml.MulticlassClassification.EvaluateMultiLabel(scored, label);
                Assert.AreEqual(tags.MicroF1, report.Metrics["micro F1"], 1e-12);
                Assert.AreEqual(tags.SubsetAccuracy, report.MicroAccuracy, 1e-12);
                Assert.AreEqual(2, Regex.Matches(html, "<tr><th>[01]</th><td>").Count, "one table row per tag");
                break;
        }
        Directory.Delete(directory, recursive: true);
    }

    [TestMethod]
    public void TheRocArea_CountsTiesHalf_AndTheCalibrationErrorWeighsTheBins()
    {
        // Scores .9 (yes), .5 (no), .5 (yes), .1 (no): of the 4 yes-no pairs, 3 are ordered and one tied: 3.5 / 4.
        var (points, auc) = TaskPlots.Roc([0.9f, 0.5f, 0.5f, 0.1f], [true, false, true, false]);
        Assert.AreEqual(0.875, auc, 1e-12);
        Assert.AreEqual((1.0, 1.0), points[^1]);
        Assert.IsTrue(double.IsNaN(TaskPlots.Roc([0.2f, 0.4f], [true, true]).Auc), "one class only");
        // Two bins: [0, .5) holds .1 and .3 with one yes (mean .2, share .5); [.5, 1] holds .9 with a yes (mean .9, share 1).
        var (_, _, count, ece) = TaskPlots.Calibration([0.1f, 0.3f, 0.9f], [false, true, true], 2);
        CollectionAssert.AreEqual(new[] { 2, 1 }, count);
        Assert.AreEqual((2 * 0.3 + 1 * 0.1) / 3, ece, 1e-6);
        Assert.AreEqual(ece, TaskPlots.ExpectedCalibrationError([0.1f, 0.3f, 0.9f], [false, true, true], bins: 2), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => TaskPlots.ExpectedCalibrationError(new float[2], [true]));
    }
}
