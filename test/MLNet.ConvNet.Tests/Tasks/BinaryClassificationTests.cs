using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static MLNet.ConvNet.Tests.Model.EstimatorChecks;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>
/// <c>mlContext.BinaryClassification.Trainers.ConvNet</c>: ML.NET's estimator checks, ported, with
/// LbfgsLogisticRegression as the control; its columns as LbfgsLogisticRegression gives them; the binary evaluator,
/// cross-validation and PFI; Platt's calibration; save, load and ONNX.
/// </summary>
[TestClass]
public sealed class BinaryClassificationTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static ConvNetTrainer ConvNet(int epochs = 1, double validationFraction = 0)
        => Ml.BinaryClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = epochs, ValidationFraction = validationFraction });

    private static IEstimator<ITransformer> Lbfgs() => Ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new Microsoft.ML.Trainers.LbfgsLogisticRegressionBinaryTrainer.Options { MaximumNumberOfIterations = 5 });

    public static IEnumerable<object[]> Trainers => [["ConvNet"], ["LbfgsLogisticRegression (control)"]];

    private static IEstimator<ITransformer> Trainer(string name) => name == "ConvNet" ? ConvNet(validationFraction: 0.2) : Lbfgs();

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void TheTrainerAlone_PassesTestEstimatorCore(string trainer)
    {
        TestSetup.EnsureRegistered();
        var data = TaskData.Load(Ml, 300);
        var withoutLabel = Ml.Transforms.DropColumns("Label").Fit(data).Transform(data);
        var invalid = Ml.Transforms.DropColumns("Features").Fit(data).Transform(data);
        TestEstimatorCore(Trainer(trainer), data, withoutLabel, invalid);
    }

    [TestMethod]
    public void PredictedLabelScoreAndProbability_AreLbfgsLogisticRegressions_InOrderTypeAndAnnotations()
    {
        TestSetup.EnsureRegistered();
        var data = TaskData.Load(Ml, 200);
        var ours = ConvNet().Fit(data).Transform(data).Schema;
        var theirs = Lbfgs().Fit(data).Transform(data).Schema;
        CollectionAssert.AreEqual(theirs.Select(c => c.Name).ToList(), ours.Select(c => c.Name).ToList(), "the same columns in the same order");
        foreach (var column in new[] { "PredictedLabel", "Score", "Probability" })
        {
            Assert.AreEqual(theirs[column].Type, ours[column].Type, column);
            CheckSameAnnotations(theirs[column], ours[column]);
        }
        CheckAnnotationTypes(ours);
    }

    [TestMethod]
    public void Evaluate_CrossValidate_AndPermutationFeatureImportance_WorkAsForLbfgs()
    {
        TestSetup.EnsureRegistered();
        var train = TaskData.Load(Ml, 600);
        var model = ConvNet(epochs: 2).Fit(train);
        Assert.IsInstanceOfType<BinaryClassificationTask>(model.Task);
        var metrics = Ml.BinaryClassification.Evaluate(model.Transform(TaskData.Load(Ml, 300, seed: 2)));
        Assert.IsTrue(metrics.AreaUnderRocCurve > 0.8, $"AUC {metrics.AreaUnderRocCurve:F3} after 2 epochs of TinyNet on 600 digits");
        Assert.IsTrue(double.IsFinite(metrics.LogLoss) && metrics.F1Score > 0, $"log-loss {metrics.LogLoss}, F1 {metrics.F1Score}");

        var folds = Ml.BinaryClassification.CrossValidate(train, ConvNet(), numberOfFolds: 3);
        Assert.AreEqual(3, folds.Count);
        Assert.IsTrue(folds.All(f => f.Metrics.AreaUnderRocCurve > 0.5), string.Join(", ", folds.Select(f => f.Metrics.AreaUnderRocCurve)));

        var importance = Ml.BinaryClassification.PermutationFeatureImportance(model, TaskData.Load(Ml, 64, seed: 3), permutationCount: 1);
        Assert.AreEqual(784, importance.Length, "one entry per pixel");
        Assert.IsTrue(importance.Any(i => i.AreaUnderRocCurve.Mean != 0), "some pixel matters");
    }

    [TestMethod]
    public void WithValidationData_TheProbabilityIsPlattCalibrated_AndPredictedLabelIsScoreAboveZero()
    {
        TestSetup.EnsureRegistered();
        var uncalibrated = ConvNet().Fit(TaskData.Load(Ml, 300));
        var plain = (BinaryClassificationTask)uncalibrated.Task;
        Assert.IsFalse(plain.IsCalibrated);
        Assert.AreEqual((1.0, 0.0), (plain.CalibrationSlope, plain.CalibrationOffset));

        var model = ConvNet(validationFraction: 0.3).Fit(TaskData.Load(Ml, 300));
        var task = (BinaryClassificationTask)model.Task;
        Assert.IsTrue(task.IsCalibrated);
        Assert.AreNotEqual(1.0, task.CalibrationSlope, "fitted to the validation rows");
        var scored = model.Transform(TaskData.Load(Ml, 50, seed: 2));
        var scores = scored.GetColumn<float>("Score").ToArray();
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            double expected = 1 / (1 + Math.Exp(-(task.CalibrationSlope * scores[i] + task.CalibrationOffset)));
            Assert.AreEqual(expected, probabilities[i], 1e-6, $"row {i}");
            Assert.AreEqual(scores[i] > 0, predicted[i], $"row {i}");
        }
    }

    [TestMethod]
    public void SaveAndLoad_KeepTheCalibration_AndTheScoresBitForBit()
    {
        TestSetup.EnsureRegistered();
        var data = TaskData.Load(Ml, 300);
        var model = ConvNet(validationFraction: 0.3).Fit(data);
        using var stream = new MemoryStream();
        Ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        using var loaded = (ConvNetTransformer)Ml.Model.Load(stream, out _);
        var task = (BinaryClassificationTask)model.Task;
        var back = (BinaryClassificationTask)loaded.Task;
        Assert.AreEqual((task.CalibrationSlope, task.CalibrationOffset, task.IsCalibrated), (back.CalibrationSlope, back.CalibrationOffset, back.IsCalibrated));
        var test = TaskData.Load(Ml, 40, seed: 2);
        CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Probability").ToArray(), loaded.Transform(test).GetColumn<float>("Probability").ToArray());
        CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Score").ToArray(), loaded.Transform(test).GetColumn<float>("Score").ToArray());
    }

    [TestMethod]
    public void ConvertToOnnx_GivesScoreProbabilityAndPredictedLabel_WithinOneInAHundredThousand()
    {
        TestSetup.EnsureRegistered();
        var model = ConvNet(validationFraction: 0.3).Fit(TaskData.Load(Ml, 300));
        var test = TaskData.Load(Ml, 32, seed: 2);
        var scored = model.Transform(test);
        var input = Ml.Data.LoadFromEnumerable(new List<FeaturesOnly>());
        using var file = new MemoryStream();
        Ml.Model.ConvertToStrictOnnx(model, input, file);
        using var session = new InferenceSession(file.ToArray());
        var features = test.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, [32, 1, 28, 28]))]);
        var score = results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray();
        var probability = results.Single(r => r.Name == "Probability.output").AsTensor<float>().ToArray();
        var predicted = results.Single(r => r.Name == "PredictedLabel.output").AsTensor<bool>().ToArray();
        var expectedScore = scored.GetColumn<float>("Score").ToArray();
        var expectedProbability = scored.GetColumn<float>("Probability").ToArray();
        Assert.IsTrue(score.Zip(expectedScore).Max(p => Math.Abs(p.First - p.Second)) <= 1e-5, "Score");
        Assert.IsTrue(probability.Zip(expectedProbability).Max(p => Math.Abs(p.First - p.Second)) <= 1e-5, "Probability");
        CollectionAssert.AreEqual(scored.GetColumn<bool>("PredictedLabel").ToArray(), predicted);
    }

    private sealed class FeaturesOnly
    {
        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    [TestMethod]
    public void AKeyLabel_IsRefused_WithTheRouteToTheMulticlassCatalog()
    {
        TestSetup.EnsureRegistered();
        var keyed = TestData.Digits(Ml, 50);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ConvNet().Fit(keyed));
        StringAssert.Contains(error.Message, "Schema mismatch for label column 'Label': expected Boolean");
        StringAssert.Contains(error.Message, "MulticlassClassification.Trainers.ConvNet");
        var boolean = TaskData.Load(Ml, 50);
        var multiclass = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 }).Fit(boolean));
        StringAssert.Contains(multiclass.Message, "expected key type");
    }

    [TestMethod]
    public void LabelSmoothing_TeachesHalfEpsilonAndOneMinusHalfEpsilon_AsKerasBinaryCrossEntropy()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var logits = TorchSharp.torch.tensor(new[] { 2f, -1f, 0.5f }).reshape(3, 1);
        var labels = TorchSharp.torch.tensor(new[] { 1f, 0f, 1f });
        double loss = BinaryClassificationTask.Uncalibrated.Loss(logits, labels, null, null, 0.2).item<float>();
        // Targets 0.9, 0.1, 0.9: the mean of -(t log σ(x) + (1 - t) log(1 - σ(x))).
        double expected = new[] { (2.0, 0.9), (-1.0, 0.1), (0.5, 0.9) }.Average(p => -(p.Item2 * Math.Log(Sigmoid(p.Item1)) + (1 - p.Item2) * Math.Log(1 - Sigmoid(p.Item1))));
        Assert.AreEqual(expected, loss, 1e-6);
        Assert.AreEqual(0.9, BinaryClassificationTask.Smoothed(labels, 0.2)[0].item<float>(), 1e-7);
        // The fine-tuning recipe, with its label smoothing of 0.1, makes a binary trainer too.
        Assert.IsInstanceOfType<BinaryClassificationTask>(Ml.BinaryClassification.Trainers.ConvNet(ConvNetTrainer.Options.FineTuningRecipe("TinyNet")).Task);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [TestMethod]
    public void MixingAndARegressionLoss_AreRefused_ForABinaryTrainer()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Ml.BinaryClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Mixing = BatchMixing.MixUp(0.2) }));
        var loss = Assert.ThrowsExactly<ArgumentException>(() => Ml.BinaryClassification.Trainers.ConvNet(new ConvNetTrainer.Options { RegressionLoss = RegressionLoss.Huber }));
        StringAssert.Contains(loss.Message, "RegressionLoss");
    }
}
