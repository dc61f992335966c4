using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Model;

/// <summary>The trainer and the transformer answer ML.NET's tools the way its own trainers do.</summary>
[TestClass]
public sealed class ModelParametersTests
{
    private static MLContext _ml;
    private static TransformerChain<ConvNetTransformer> _model;

    [ClassInitialize]
    public static void TrainOnce(TestContext context)
    {
        _ml = TrainedModels.Ml;
        _model = new TransformerChain<ConvNetTransformer>(TrainedModels.SimpleConvNet);
    }


    [TestMethod]
    public void TheChainsLastTransformer_GivesTypedModelParameters()
    {
        ConvNetModelParameters parameters = _model.LastTransformer.Model;
        Assert.AreEqual("SimpleConvNet", parameters.Architecture.Name);
        Assert.AreEqual(10, parameters.NumberOfClasses);
        Assert.AreEqual(new ImageShape(1, 28, 28), parameters.InputShape);
        Assert.AreEqual(2, parameters.History.Count);
        Assert.AreEqual(2, parameters.FinalEpoch);
        StringAssert.Contains(parameters.Summary, "Total params: 60,874");
        CollectionAssert.AreEqual(new[] { "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "conv2d_2", "flatten", "dense", "dense_1" }, parameters.Layers.Select(l => l.Name).ToArray());
        Assert.AreEqual("Features", _model.LastTransformer.FeatureColumnName);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 784), _model.LastTransformer.FeatureColumnType);
    }

    [TestMethod]
    public void Weights_AreCopiesWithTheirShapes_InTheSummarysOrder()
    {
        var parameters = _model.LastTransformer.Model;
        var weights = parameters.GetWeights();
        var conv = weights.Single(w => w.Name == "conv2d.weight");
        CollectionAssert.AreEqual(new long[] { 16, 1, 3, 3 }, conv.Shape.ToArray());
        Assert.AreEqual(144, conv.Values.Length);
        CollectionAssert.AreEqual(new long[] { 10 }, weights.Single(w => w.Name == "dense_1.bias").Shape.ToArray());
        Assert.AreEqual(60_874, weights.Sum(w => w.Values.Length));
        foreach (var layer in parameters.Layers)
            Assert.AreEqual(layer.Parameters, weights.Where(w => w.Name.StartsWith(layer.Name + ".", StringComparison.Ordinal)).Sum(w => (long)w.Values.Length), layer.Name);

        var scoresBefore = _model.Transform(TestData.Digits(_ml, 20, seed: 2)).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        Array.Clear(conv.Values);
        CollectionAssert.AreEqual(scoresBefore, _model.Transform(TestData.Digits(_ml, 20, seed: 2)).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), "changing a copy changes nothing");
        CollectionAssert.AreNotEqual(conv.Values, parameters.GetWeights().Single(w => w.Name == "conv2d.weight").Values);
    }

    [TestMethod]
    public void ModelParameters_SurviveSaveAndLoad()
    {
        using var file = new MemoryStream();
        _ml.Model.Save(_model, TestData.Digits(_ml, 1).Schema, file);
        file.Position = 0;
        var loaded = (TransformerChain<ITransformer>)_ml.Model.Load(file, out _);
        var parameters = ((ConvNetTransformer)loaded.LastTransformer).Model;
        var before = _model.LastTransformer.Model.GetWeights();
        var after = parameters.GetWeights();
        CollectionAssert.AreEqual(before.Select(w => w.Name).ToArray(), after.Select(w => w.Name).ToArray());
        for (int i = 0; i < before.Count; i++)
            CollectionAssert.AreEqual(before[i].Values, after[i].Values, before[i].Name);
        Assert.AreEqual(2, parameters.History.Count);
    }

    [TestMethod]
    public void TrainerInfo_SaysWhatMLNetsToolsAsk()
    {
        var trainer = _ml.MulticlassClassification.Trainers.ConvNet();
        Assert.IsFalse(trainer.Info.NeedNormalization);
        Assert.IsFalse(trainer.Info.WantCaching);
    }

    [TestMethod]
    [TestCategory("Integration")] // 1,568 scoring passes: 5-6 s, a tenth of the fast tier
    public void PermutationFeatureImportance_GivesOneEntryPerPixel()
    {
        var data = TestData.Digits(_ml, 60, seed: 2);
        var importance = _ml.MulticlassClassification.PermutationFeatureImportance(_model.LastTransformer, data, permutationCount: 1);
        Assert.AreEqual(784, importance.Length);
        // MNIST's corner pixels are 0 in every image: shuffling them cannot change a prediction.
        Assert.AreEqual(0, importance[0].MicroAccuracy.Mean);
        Assert.AreEqual(0, importance[0].LogLoss.Mean);
        Assert.IsTrue(importance.Max(i => Math.Abs(i.LogLoss.Mean)) > 0, "shuffling the pixels of the digits changes the log-loss");

        // The whole chain, as ML.NET's samples call it; MNIST names its pixels "r{row}c{column}".
        var byName = _ml.MulticlassClassification.PermutationFeatureImportance(_model, data, permutationCount: 1);
        Assert.AreEqual(784, byName.Count);
        Assert.AreEqual(0, byName["r0c0"].MicroAccuracy.Mean);
    }
}
