using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static MLNet.ConvNet.Tests.Model.EstimatorChecks;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>
/// <c>mlContext.Regression.Trainers.ConvNet</c>: ML.NET's estimator checks, ported, with Sdca as the control; its Score
/// as Sdca gives it; the regression evaluator; the label scale that makes the label's unit irrelevant; the Huber loss;
/// missing and impossible labels; save, load and ONNX.
/// </summary>
[TestClass]
public sealed class RegressionTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static ConvNetTrainer ConvNet(int epochs = 1, RegressionLoss? loss = null, double validationFraction = 0)
        => Ml.Regression.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = epochs, RegressionLoss = loss, ValidationFraction = validationFraction });

    private static IEstimator<ITransformer> Sdca() => Ml.Regression.Trainers.Sdca(maximumNumberOfIterations: 2);

    public static IEnumerable<object[]> Trainers => [["ConvNet"], ["Sdca (control)"]];

    private static IEstimator<ITransformer> Trainer(string name) => name == "ConvNet" ? ConvNet() : Sdca();

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void TheTrainerAlone_PassesTestEstimatorCore(string trainer)
    {
        TestSetup.EnsureRegistered();
        var data = TaskData.ForRegression(Ml, 300);
        var withoutLabel = Ml.Transforms.DropColumns("Label").Fit(data).Transform(data);
        var invalid = Ml.Transforms.DropColumns("Features").Fit(data).Transform(data);
        TestEstimatorCore(Trainer(trainer), data, withoutLabel, invalid);
    }

    [TestMethod]
    public void Score_IsSdcas_InTypeAndAnnotations()
    {
        TestSetup.EnsureRegistered();
        var data = TaskData.ForRegression(Ml, 200);
        var ours = ConvNet().Fit(data).Transform(data).Schema;
        var theirs = Sdca().Fit(data).Transform(data).Schema;
        CollectionAssert.AreEqual(theirs.Select(c => c.Name).ToList(), ours.Select(c => c.Name).ToList());
        Assert.AreEqual(theirs["Score"].Type, ours["Score"].Type);
        CheckSameAnnotations(theirs["Score"], ours["Score"]);
        CheckAnnotationTypes(ours);
    }

    [TestMethod]
    public void Evaluate_Works_AndTheNetworkLearnsTheDigitsValue()
    {
        TestSetup.EnsureRegistered();
        var model = ConvNet(epochs: 3).Fit(TaskData.ForRegression(Ml, 600));
        var task = (RegressionTask)model.Task;
        Assert.AreEqual(RegressionLoss.Squared, task.LossFunction);
        Assert.IsTrue(task.LabelMean is > 3 and < 6 && task.LabelScale is > 2 and < 3.5, $"mean {task.LabelMean}, scale {task.LabelScale} of digits 0-9");
        var metrics = Ml.Regression.Evaluate(model.Transform(TaskData.ForRegression(Ml, 300, seed: 2)));
        Assert.IsTrue(metrics.RSquared > 0.1, $"R² {metrics.RSquared:F3}, RMSE {metrics.RootMeanSquaredError:F3} after 3 epochs of TinyNet on 600 digits");
        Assert.IsTrue(model.History.All(e => double.IsNaN(e.Accuracy)), "a regression has no accuracy");
    }

    [TestMethod]
    public void TheLabelsUnit_DoesNotChangeWhatIsLearned()
    {
        TestSetup.EnsureRegistered();
        // The same digits, with the value in two units: training sees the same standardised labels.
        var plain = ConvNet().Fit(TaskData.ForRegression(Ml, 300)).Transform(TaskData.ForRegression(Ml, 50, seed: 2)).GetColumn<float>("Score").ToArray();
        var scaled = ConvNet().Fit(TaskData.ForRegression(Ml, 300, value: d => 1000f * d + 5000)).Transform(TaskData.ForRegression(Ml, 50, seed: 2)).GetColumn<float>("Score").ToArray();
        for (int i = 0; i < plain.Length; i++)
            Assert.AreEqual(1000.0 * plain[i] + 5000, scaled[i], 1e-3 * Math.Max(1, Math.Abs(scaled[i])), $"row {i}");
    }

    [TestMethod]
    public void HuberLoss_TrainsAndIsSaved()
    {
        TestSetup.EnsureRegistered();
        var data = TaskData.ForRegression(Ml, 300);
        var model = ConvNet(loss: RegressionLoss.Huber).Fit(data);
        Assert.AreEqual(RegressionLoss.Huber, ((RegressionTask)model.Task).LossFunction);
        using var stream = new MemoryStream();
        Ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        using var loaded = (ConvNetTransformer)Ml.Model.Load(stream, out _);
        var task = (RegressionTask)model.Task;
        var back = (RegressionTask)loaded.Task;
        Assert.AreEqual((task.LossFunction, task.LabelMean, task.LabelScale), (back.LossFunction, back.LabelMean, back.LabelScale));
        var test = TaskData.ForRegression(Ml, 40, seed: 2);
        CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Score").ToArray(), loaded.Transform(test).GetColumn<float>("Score").ToArray(), "bit for bit");
    }

    [TestMethod]
    public void NaNLabels_AreSkipped_AndAnInfiniteLabelIsRefusedByRow()
    {
        TestSetup.EnsureRegistered();
        var rows = TaskData.Rows(200, 1);
        rows[3].Value = float.NaN;
        rows[7].Value = float.NaN;
        var data = Ml.Transforms.CopyColumns("Label", "Value").Fit(Ml.Data.LoadFromEnumerable(rows)).Transform(Ml.Data.LoadFromEnumerable(rows));
        var withoutBoolean = Ml.Transforms.DropColumns("Value").Fit(data).Transform(data);
        var skipped = ConvNet().Fit(Ml.Data.LoadFromEnumerable(rows.Select(r => new ValueRow { Label = r.Value, Features = r.Features })));
        Assert.IsTrue(double.IsFinite(((RegressionTask)skipped.Task).LabelMean), "the mean of the labels that are there");

        rows[5].Value = float.PositiveInfinity;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ConvNet().Fit(Ml.Data.LoadFromEnumerable(rows.Select(r => new ValueRow { Label = r.Value, Features = r.Features }))));
        StringAssert.Contains(error.Message, "Row 5 of the label column 'Label' is Infinity");
        _ = withoutBoolean;
    }

    private sealed class ValueRow
    {
        public float Label { get; set; }

        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    [TestMethod]
    public void ConvertToStrictOnnx_GivesTheScore_WithinOneInAHundredThousandOfItsSize()
    {
        TestSetup.EnsureRegistered();
        var model = ConvNet().Fit(TaskData.ForRegression(Ml, 300, value: d => 10f * d + 20));
        var test = TaskData.ForRegression(Ml, 32, seed: 2);
        var expected = model.Transform(test).GetColumn<float>("Score").ToArray();
        using var file = new MemoryStream();
        Ml.Model.ConvertToStrictOnnx(model, Ml.Data.LoadFromEnumerable(new List<FeaturesOnly>()), file);
        using var session = new InferenceSession(file.ToArray());
        var features = test.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, [32, 1, 28, 28]))]);
        var score = results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray();
        double largest = score.Zip(expected).Max(p => Math.Abs(p.First - p.Second) / Math.Max(1, Math.Abs(p.Second)));
        Assert.IsTrue(largest <= 1e-5, $"ONNX Runtime's scores differ by up to {largest:E2} of their size");
    }

    private sealed class FeaturesOnly
    {
        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    [TestMethod]
    public void AnAccuracyToWatch_AndABooleanLabel_AreRefused()
    {
        TestSetup.EnsureRegistered();
        var watch = Assert.ThrowsExactly<ArgumentException>(() => Ml.Regression.Trainers.ConvNet(new ConvNetTrainer.Options { ValidationFraction = 0.2, EarlyStoppingMetric = TrainingMetric.ValidationAccuracy }));
        StringAssert.Contains(watch.Message, "no accuracy");
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ConvNet().Fit(TaskData.Load(Ml, 50)));
        StringAssert.Contains(error.Message, "Schema mismatch for label column 'Label': expected Single");
    }

    [TestMethod]
    public void LabelSmoothingAndMixing_AreRefused_WithWhatToDo()
    {
        var smoothing = Assert.ThrowsExactly<ArgumentException>(() => Ml.Regression.Trainers.ConvNet(ConvNetTrainer.Options.FineTuningRecipe("TinyNet")));
        StringAssert.Contains(smoothing.Message, "LabelSmoothing is 0.1, but a Regression ConvNet learns a number");
        StringAssert.Contains(smoothing.Message, "set it to 0");
        var mixing = Assert.ThrowsExactly<ArgumentException>(() => Ml.Regression.Trainers.ConvNet(new ConvNetTrainer.Options { Mixing = BatchMixing.MixUp(0.2) }));
        StringAssert.Contains(mixing.Message, "Mixing");
    }
}