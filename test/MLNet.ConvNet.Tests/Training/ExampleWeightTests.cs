using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>An example weight column scales each example's part of the loss, as ML.NET trainers' ExampleWeightColumnName does.</summary>
[TestClass]
public sealed class ExampleWeightTests
{
    private const int Rows = 2000;

    private static IDataView Digits(MLContext ml, Func<byte, float> weightOfDigit, int rows = Rows, MnistSplit split = MnistSplit.Train)
    {
        var mnist = GeneratedDigits.Generate(rows, split == MnistSplit.Train ? 1 : 2);
        var list = Enumerable.Range(0, mnist.Labels.Length).Select(i => new WeightedDigit
        {
            Digit = mnist.Labels[i],
            Features = mnist.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray(),
            Weight = weightOfDigit(mnist.Labels[i]),
        }).ToList();
        return ml.Transforms.Conversion.MapValueToKey("Label", "Digit", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(ml.Data.LoadFromEnumerable(list)).Transform(ml.Data.LoadFromEnumerable(list));
    }

    private static ConvNetTransformer Train(MLContext ml, IDataView data, string weights)
        => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 2, ExampleWeightColumnName = weights }).Fit(data);

    [TestMethod]
    public void UniformWeights_GiveTheUnweightedResult_BitForBit()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        using var unweighted = Train(ml, Digits(ml, _ => 2.5f), weights: null);
        using var uniform = Train(ml, Digits(ml, _ => 2.5f), weights: "Weight");
        CollectionAssert.AreEqual(TestData.Weights(unweighted), TestData.Weights(uniform));
        Assert.AreEqual(1, messages.Count(m => m.Contains("Every example weight in 'Weight' is 2.5")));
    }

    [TestMethod]
    public void UnequalWeights_ChangeTheTraining()
    {
        var ml = new MLContext(seed: 1);
        using var unweighted = Train(ml, Digits(ml, _ => 1), weights: null);
        using var weighted = Train(ml, Digits(ml, d => d < 5 ? 1 : 3), weights: "Weight");
        CollectionAssert.AreNotEqual(TestData.Weights(unweighted), TestData.Weights(weighted));
    }

    [TestMethod]
    public void AClassWeightedToZero_IsNeverLearned()
    {
        var ml = new MLContext(seed: 1);
        using var model = Train(ml, Digits(ml, d => d == 3 ? 0 : 1), weights: "Weight");
        var test = Digits(ml, _ => 1, rows: 1000, split: MnistSplit.Test);
        var scored = model.Transform(test);
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var truth = scored.GetColumn<byte>("Digit").ToArray();
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        Assert.AreEqual(0, predicted.Count(p => p == 4), "key 4 is the digit 3");
        double meanOnThrees = truth.Select((d, i) => (d, i)).Where(x => x.d == 3).Average(x => scores[x.i][3]);
        Assert.IsTrue(meanOnThrees < 0.05, $"The network gives images of 3 a mean probability of {meanOnThrees:P1} for 3.");

        // The same data unweighted does learn the class.
        using var unweighted = Train(ml, Digits(ml, _ => 1), weights: null);
        Assert.IsTrue(unweighted.Transform(test).GetColumn<uint>("PredictedLabel").Count(p => p == 4) > 50);
    }

    [TestMethod]
    public void BadWeights_AreRefused_WithTheRowAndTheValue()
    {
        var ml = new MLContext(seed: 1);
        var negative = Digits(ml, d => d == 7 ? -1 : 1, rows: 64);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Train(ml, negative, "Weight"));
        int firstSeven = Array.IndexOf(GeneratedDigits.Generate(64).Labels, (byte)7);
        StringAssert.Contains(error.Message, $"Row {firstSeven} of the example weight column 'Weight' has -1; example weights must be finite numbers of 0 or more.");

        var zeros = Digits(ml, _ => 0, rows: 64);
        error = Assert.ThrowsExactly<InvalidOperationException>(() => Train(ml, zeros, "Weight"));
        StringAssert.Contains(error.Message, "Every example weight in column 'Weight' is 0");

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Train(ml, zeros, "Importance"));
        StringAssert.Contains(missing.Message, "Could not find weight column 'Importance' to train with.");

        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Train(ml, zeros, "Digit"));
        StringAssert.Contains(wrongType.Message, "Schema mismatch for weight column 'Digit': expected Single, got Byte");
    }

    private sealed class WeightedDigit
    {
        public byte Digit { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; }

        public float Weight { get; set; }
    }
}
