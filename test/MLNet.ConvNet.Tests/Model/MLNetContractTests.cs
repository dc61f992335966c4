using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using static MLNet.ConvNet.Tests.Model.EstimatorChecks;

namespace MLNet.ConvNet.Tests.Model;

/// <summary>
/// The checks ML.NET runs on its own estimators, ported (our code, the same assertions): TestEstimatorCore from
/// test/Microsoft.ML.TestFramework/DataPipe/TestDataPipeBase.cs (schema propagation, refusal of invalid input, save and
/// load, the same values through every kind of cursor, what GetOutputSchema promises against what Transform delivers,
/// annotations included), the annotation-type checks of TestDataViewBase, and the score columns' annotations against an
/// ML.NET multiclass trainer's. LbfgsMaximumEntropy passes the same port, as a control of the port itself.
/// </summary>
[TestClass]
public sealed class MLNetContractTests
{
    private static readonly MLContext Ml = new(seed: 1);

    /// <summary>Generated digits with a text label, as user data usually has it.</summary>
    private static IDataView TextLabelled(int rows, int seed)
    {
        var digits = GeneratedDigits.Generate(rows, seed);
        var records = Enumerable.Range(0, rows).Select(i => new Digit
        {
            Name = "digit " + digits.Labels[i],
            Features = digits.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray(),
        });
        return Ml.Data.LoadFromEnumerable(records);
    }

    private sealed class Digit
    {
        public string Name { get; set; }

        [VectorType(784)] public float[] Features { get; set; }
    }

    private static IEstimator<ITransformer> ConvNet() => Ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 });

    private static IEstimator<ITransformer> Lbfgs() => Ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = 5 });

    public static IEnumerable<object[]> Trainers => [["ConvNet"], ["LbfgsMaximumEntropy (control)"]];

    private static IEstimator<ITransformer> Trainer(string name) => name == "ConvNet" ? ConvNet() : Lbfgs();

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void TheTrainerAlone_PassesTestEstimatorCore(string trainer)
    {
        TestSetup.EnsureRegistered();
        var keyed = TestData.Digits(Ml, 300);
        var withoutLabel = Ml.Transforms.DropColumns("Label").Fit(keyed).Transform(keyed);
        var invalid = Ml.Transforms.DropColumns("Features").Fit(keyed).Transform(keyed);
        TestEstimatorCore(Trainer(trainer), keyed, withoutLabel, invalid);
    }

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void MapValueToKey_TheTrainer_MapKeyToValue_PassesTestEstimatorCore(string trainer)
    {
        TestSetup.EnsureRegistered();
        var data = TextLabelled(300, 1);
        var chain = Ml.Transforms.Conversion.MapValueToKey("Label", "Name")
            .Append(Trainer(trainer))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel"));
        var invalid = Ml.Transforms.DropColumns("Features").Fit(data).Transform(data);
        TestEstimatorCore(chain, data, validTransformInput: null, invalid);
    }

    [TestMethod]
    public void ScoreAndPredictedLabel_CarryTheAnnotationsOfMLNetsMulticlassScorers()
    {
        TestSetup.EnsureRegistered();
        var data = Ml.Transforms.Conversion.MapValueToKey("Label", "Name").Fit(TextLabelled(300, 1)).Transform(TextLabelled(300, 1));
        var ours = ConvNet().Fit(data).Transform(data).Schema;
        var theirs = Lbfgs().Fit(data).Transform(data).Schema;
        foreach (var column in new[] { "Score", "PredictedLabel" })
        {
            Assert.AreEqual(theirs[column].Type, ours[column].Type, column);
            CheckSameAnnotations(theirs[column], ours[column]);
        }
        // What code that finds the predicted label through annotations (ML.NET's evaluators do) reads.
        Assert.AreEqual("PredictedLabel", AnnotationText(ours["PredictedLabel"], "ScoreValueKind"));
        Assert.AreEqual("MulticlassClassification", AnnotationText(ours["PredictedLabel"], "ScoreColumnKind"));
        CheckAnnotationTypes(ours);
    }

    [TestMethod]
    public void CrossValidation_AndTopKEvaluation_Run()
    {
        TestSetup.EnsureRegistered();
        var data = TestData.Digits(Ml, 300);
        var folds = Ml.MulticlassClassification.CrossValidate(data, ConvNet(), numberOfFolds: 3);
        Assert.AreEqual(3, folds.Count);
        Assert.IsTrue(folds.All(f => f.Metrics.MicroAccuracy > 0.1), string.Join(", ", folds.Select(f => f.Metrics.MicroAccuracy)));
        var scored = ConvNet().Fit(data).Transform(TestData.Digits(Ml, 200, seed: 2));
        var metrics = Ml.MulticlassClassification.Evaluate(scored, topKPredictionCount: 3);
        Assert.AreEqual(3, metrics.TopKAccuracyForAllK.Count);
        Assert.IsTrue(metrics.TopKAccuracy >= metrics.MicroAccuracy);
    }

    [TestMethod]
    public void ThePort_FailsWhenGetOutputSchemaPromisesAnAnnotationTransformDoesNotDeliver()
    {
        // Guards the port: the schema shape the trainer promised before this fix (a score set without the label's
        // TrainingLabelValues, and no score-set annotations on PredictedLabel) must be caught.
        TestSetup.EnsureRegistered();
        var keyed = TestData.Digits(Ml, 300);
        var promised = ConvNet().GetOutputSchema(Shape(keyed.Schema));
        var score = promised.Single(c => c.Name == "Score");
        var without = NewShape(score.Annotations.Where(a => a.Name != "TrainingLabelValues"));
        var broken = NewShape(promised.Select(c => c.Name == "Score" ? NewColumn(c.Name, c.Kind, c.ItemType, c.IsKey, without) : c));
        var delivered = Shape(ConvNet().Fit(keyed).GetOutputSchema(keyed.Schema));
        Assert.ThrowsExactly<AssertFailedException>(() => CheckSameSchemaShape(broken, delivered));
    }
}
