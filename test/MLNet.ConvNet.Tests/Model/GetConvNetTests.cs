using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Model;

/// <summary>GetConvNet finds the network in a fitted or loaded chain, and docs/training.md's warm start through a chain runs as written.</summary>
[TestClass]
public sealed class GetConvNetTests
{
    [TestMethod]
    public void GetConvNet_FindsTheNetwork_InAFittedChain_AndInTheChainLoadedBack()
    {
        var ml = new MLContext(seed: 1);
        var data = TextLabels(ml, TestData.Digits(ml, 200));
        var model = Pipeline(ml).Fit(data);
        Assert.AreSame(model.Skip(1).First(), model.GetConvNet());

        string path = Path.Combine(TestData.TempDirectory(), "chain.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        Assert.IsTrue(loaded.TryGetConvNet(out var convNet));
        Assert.AreEqual(1, convNet.History.Count);
        model.GetConvNet().Dispose();
        convNet.Dispose();
    }

    [TestMethod]
    public void GetConvNet_OfAModelWithoutOne_SaysWhatTheModelHolds()
    {
        var ml = new MLContext(seed: 1);
        var data = TextLabels(ml, TestData.Digits(ml, 20));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Conversion.MapKeyToValue("Label")).Fit(data);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => keys.GetConvNet());
        StringAssert.Contains(error.Message, "holds no ConvNetTransformer");
        StringAssert.Contains(error.Message, "ValueToKeyMappingTransformer");
        Assert.IsFalse(keys.TryGetConvNet(out _));
    }

    [TestMethod]
    public void TheDocsWarmStartThroughAChain_TrainsFurther_AndScoresAsAChainAgain()
    {
        var ml = new MLContext(seed: 1);
        var data = TextLabels(ml, TestData.Digits(ml, 300));
        var moreData = TextLabels(ml, TestData.Digits(ml, 300, seed: 2));
        var model = Pipeline(ml).Fit(data);

        // As docs/training.md: the fitted MapValueToKey keeps the classes in the same order for the new data.
        var convNet = model.GetConvNet();
        var keyed = model.First().Transform(moreData);
        using var continued = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(keyed, convNet.Model);
        var updated = new TransformerChain<ITransformer>(model.First(), continued, model.Last());

        CollectionAssert.AreEqual(new[] { 1, 2 }, continued.History.Select(e => e.Epoch).ToArray());
        int before = Right(model, moreData), after = Right(updated, moreData);
        Assert.IsTrue(after > before, $"the continued chain names more digits right: {after} of 300 against {before} before");
        convNet.Dispose();
    }

    private static EstimatorChain<Microsoft.ML.Transforms.KeyToValueMappingTransformer> Pipeline(MLContext ml)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 1))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    private static int Right(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        var predicted = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(p => p.ToString());
        var truth = data.GetColumn<ReadOnlyMemory<char>>("Label").Select(p => p.ToString());
        return predicted.Zip(truth).Count(p => p.First == p.Second);
    }

    /// <summary>The digits with their label as text ("0".."9"), as a user's data would have it.</summary>
    private static IDataView TextLabels(MLContext ml, IDataView digits) => ml.Transforms.Conversion.MapKeyToValue("Label").Fit(digits).Transform(digits);
}
