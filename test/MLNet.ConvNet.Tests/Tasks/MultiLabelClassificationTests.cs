using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static MLNet.ConvNet.Tests.Model.EstimatorChecks;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>
/// <c>mlContext.MulticlassClassification.Trainers.ConvNetMultiLabel</c>: ML.NET's estimator checks, ported; the
/// PredictedLabels and Score vectors with the tags' names; learning three tags of generated digits; tuned thresholds;
/// save, load and ONNX; refusals.
/// </summary>
[TestClass]
public sealed class MultiLabelClassificationTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static ConvNetTrainer ConvNet(int epochs = 1, double validationFraction = 0, bool tune = false, double? threshold = null)
        => Ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options
        {
            Architecture = "TinyNet", Epochs = epochs, ValidationFraction = validationFraction, TuneTagThresholds = tune, TagThreshold = threshold,
        });

    [TestMethod]
    public void TheTrainerAlone_PassesTestEstimatorCore()
    {
        TestSetup.EnsureRegistered();
        var data = TagData.Load(Ml, 300);
        var withoutLabel = Ml.Transforms.DropColumns("Label").Fit(data).Transform(data);
        var invalid = Ml.Transforms.DropColumns("Features").Fit(data).Transform(data);
        TestEstimatorCore(ConvNet(), data, withoutLabel, invalid);
    }

    [TestMethod]
    public void PredictedLabelsAndScore_AreVectorsOfOneSlotPerTag_NamedByTheLabelsSlotNames()
    {
        TestSetup.EnsureRegistered();
        var data = TagData.Load(Ml, 200);
        using var model = ConvNet().Fit(data);
        var schema = model.Transform(data).Schema;
        Assert.AreEqual(new VectorDataViewType(BooleanDataViewType.Instance, 3), schema["PredictedLabels"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), schema["Score"].Type);
        Assert.IsTrue(schema["PredictedLabels"].Index < schema["Score"].Index, "PredictedLabels, then Score, as the multiclass columns");
        foreach (var column in new[] { "PredictedLabels", "Score" })
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            schema[column].GetSlotNames(ref names);
            CollectionAssert.AreEqual(TagData.Tags, names.DenseValues().Select(n => n.ToString()).ToArray(), column);
        }
        CollectionAssert.AreEqual(TagData.Tags, model.ClassNames.ToArray());
        var task = (MultiLabelClassificationTask)model.Task;
        CollectionAssert.AreEqual(new[] { 0.5f, 0.5f, 0.5f }, task.Thresholds.ToArray());
        CheckAnnotationTypes(schema);
    }

    [TestMethod]
    public void ThreeTagsOfGeneratedDigits_AreLearned_AndPredictedLabelsAreTheScoresAboveTheThreshold()
    {
        TestSetup.EnsureRegistered();
        using var model = ConvNet(epochs: 3).Fit(TagData.Load(Ml, 800));
        var scored = model.Transform(TagData.Load(Ml, 300, seed: 2));
        var metrics = Ml.MulticlassClassification.EvaluateMultiLabel(scored);
        Assert.AreEqual(300, metrics.Images);
        CollectionAssert.AreEqual(TagData.Tags, metrics.PerTag.Select(t => t.Tag).ToArray());
        Assert.IsTrue(metrics.PerTag.All(t => t.Auc > 0.8), string.Join(", ", metrics.PerTag.Select(t => $"{t.Tag} AUC {t.Auc:F3}")));
        Assert.IsTrue(metrics.MicroF1 > 0.7 && metrics.HammingLoss < 0.3, $"micro F1 {metrics.MicroF1:F3}, Hamming {metrics.HammingLoss:F3}");
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var predicted = scored.GetColumn<bool[]>("PredictedLabels").ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.IsTrue(scores[i].All(p => p is >= 0 and <= 1), "probabilities");
            CollectionAssert.AreEqual(scores[i].Select(p => p > 0.5f).ToArray(), predicted[i], $"row {i}");
        }
    }

    [TestMethod]
    public void TuneTagThresholds_SetsEachTagsThresholdForF1_OnTheValidationRows()
    {
        TestSetup.EnsureRegistered();
        var messages = new List<string>();
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        using var model = ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1, ValidationFraction = 0.3, TuneTagThresholds = true })
            .Fit(TagData.Load(ml, 400));
        var task = (MultiLabelClassificationTask)model.Task;
        Assert.IsTrue(task.ThresholdsTuned);
        Assert.IsTrue(task.Thresholds.Any(t => t != 0.5f) && task.Thresholds.All(t => t is > 0 and < 1), string.Join(", ", task.Thresholds));
        Assert.IsTrue(messages.Any(m => m.Contains("Tuned each tag's threshold for F1")), "the log says so");
        var scored = model.Transform(TagData.Load(ml, 100, seed: 2));
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var predicted = scored.GetColumn<bool[]>("PredictedLabels").ToArray();
        for (int i = 0; i < scores.Length; i++)
            CollectionAssert.AreEqual(scores[i].Select((p, t) => p > task.Thresholds[t]).ToArray(), predicted[i], $"row {i}");

        using var untuned = ConvNet(tune: true).Fit(TagData.Load(Ml, 100));
        Assert.IsFalse(((MultiLabelClassificationTask)untuned.Task).ThresholdsTuned, "no validation rows: nothing to tune on");
    }

    [TestMethod]
    public void TheThresholdsFit_TakeTheCutOfBestF1_BetweenTwoProbabilities()
    {
        // One tag over 6 rows, by probability: 0.9 yes, 0.8 yes, 0.7 no, 0.6 yes, 0.2 no, 0.1 no. Taking 2 gives F1
        // 2*2/(2+3) = 0.8, taking 4 gives 2*3/(4+3) = 0.857: the cut goes between 0.6 and 0.2.
        float[] probabilities = [0.9f, 0.8f, 0.7f, 0.6f, 0.2f, 0.1f];
        float[] labels = [1, 1, 0, 1, 0, 0];
        var thresholds = MLNet.ConvNet.Tasks.TagThresholds.BestF1(probabilities, labels, 1, 0.5f);
        Assert.AreEqual(0.4f, thresholds[0], 1e-6f);
        Assert.AreEqual(0.5f, MLNet.ConvNet.Tasks.TagThresholds.BestF1(probabilities, new float[6], 1, 0.5f)[0], "no positives: the fallback");
    }

    [TestMethod]
    public void SaveAndLoad_KeepTheTagsAndThresholds_AndTheScoresBitForBit()
    {
        TestSetup.EnsureRegistered();
        var data = TagData.Load(Ml, 300);
        using var model = ConvNet(validationFraction: 0.3, tune: true).Fit(data);
        using var stream = new MemoryStream();
        Ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        using var loaded = (ConvNetTransformer)Ml.Model.Load(stream, out _);
        var task = (MultiLabelClassificationTask)model.Task;
        var back = (MultiLabelClassificationTask)loaded.Task;
        CollectionAssert.AreEqual(task.TagNames.ToArray(), back.TagNames.ToArray());
        CollectionAssert.AreEqual(task.Thresholds.ToArray(), back.Thresholds.ToArray());
        Assert.AreEqual(task.ThresholdsTuned, back.ThresholdsTuned);
        var test = TagData.Load(Ml, 40, seed: 2);
        CollectionAssert.AreEqual(Flat(model.Transform(test).GetColumn<float[]>("Score")), Flat(loaded.Transform(test).GetColumn<float[]>("Score")));
        CollectionAssert.AreEqual(Flat(model.Transform(test).GetColumn<bool[]>("PredictedLabels")), Flat(loaded.Transform(test).GetColumn<bool[]>("PredictedLabels")));
        Assert.AreEqual(new VectorDataViewType(BooleanDataViewType.Instance, 3), loaded.LabelColumn.Type, "the label's type comes back from the task");
    }

    private static T[] Flat<T>(IEnumerable<T[]> rows) => rows.SelectMany(r => r).ToArray();

    [TestMethod]
    public void ConvertToOnnx_GivesScoreAndPredictedLabels_WithinOneInAHundredThousand()
    {
        TestSetup.EnsureRegistered();
        using var model = ConvNet(validationFraction: 0.3, tune: true).Fit(TagData.Load(Ml, 300));
        var test = TagData.Load(Ml, 32, seed: 2);
        var scored = model.Transform(test);
        var input = Ml.Data.LoadFromEnumerable(new List<FeaturesOnly>());
        using var file = new MemoryStream();
        Ml.Model.ConvertToStrictOnnx(model, input, file);
        using var session = new InferenceSession(file.ToArray());
        var features = test.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, [32, 1, 28, 28]))]);
        var score = results.Single(r => r.Name == "Score.output").AsTensor<float>().ToArray();
        var predicted = results.Single(r => r.Name == "PredictedLabels.output").AsTensor<bool>().ToArray();
        var expected = Flat(scored.GetColumn<float[]>("Score"));
        Assert.AreEqual(expected.Length, score.Length);
        Assert.IsTrue(score.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) <= 1e-5, "Score");
        var expectedPredicted = Flat(scored.GetColumn<bool[]>("PredictedLabels"));
        int differ = predicted.Zip(expectedPredicted).Count(p => p.First != p.Second);
        Assert.AreEqual(0, differ, "PredictedLabels at the tuned thresholds");
    }

    private sealed class FeaturesOnly
    {
        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    [TestMethod]
    public void ABooleanOrKeyLabel_IsRefused_WithTheRouteToItsCatalog()
    {
        TestSetup.EnsureRegistered();
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ConvNet().Fit(TaskData.Load(Ml, 50)));
        StringAssert.Contains(error.Message, "Schema mismatch for label column 'Label': expected a known-size vector of Boolean");
        StringAssert.Contains(error.Message, "BinaryClassification.Trainers.ConvNet");
        var binary = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.BinaryClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 }).Fit(TagData.Load(Ml, 50)));
        StringAssert.Contains(binary.Message, "expected Boolean");
    }

    private sealed class SoftRow
    {
        [VectorType(2)] public float[] Label { get; set; }

        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    [TestMethod]
    public void SoftTagsInZeroToOne_Train_AndATagOutsideIt_IsRefusedByRow()
    {
        TestSetup.EnsureRegistered();
        var rows = TagData.Rows(60, 1).Select(r => new SoftRow { Label = [r.Label[0] ? 0.9f : 0.1f, r.Label[1] ? 1 : 0], Features = r.Features }).ToList();
        using var model = ConvNet().Fit(Ml.Data.LoadFromEnumerable(rows));
        CollectionAssert.AreEqual(new[] { "0", "1" }, model.ClassNames.ToArray(), "no slot names: the slots' indices");
        rows[7].Label[1] = 2;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ConvNet().Fit(Ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "Row 7 of the label column 'Label' has a tag of 2");
    }

    [TestMethod]
    public void TagOptions_AreRefusedByTheOtherCatalogs_AndAThresholdOutOfRange()
    {
        var threshold = Assert.ThrowsExactly<ArgumentException>(() => Ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { TagThreshold = 0.3 }));
        StringAssert.Contains(threshold.Message, "TagThreshold");
        Assert.ThrowsExactly<ArgumentException>(() => Ml.BinaryClassification.Trainers.ConvNet(new ConvNetTrainer.Options { TuneTagThresholds = true }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ConvNet(threshold: 1.5));
        Assert.ThrowsExactly<ArgumentException>(() => Ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options { Mixing = BatchMixing.MixUp(0.2) }));
        Assert.IsInstanceOfType<MultiLabelClassificationTask>(Ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options { LabelSmoothing = 0.1 }).Task, "label smoothing applies to tags");
    }
}
