using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.ModelFile;

/// <summary>
/// Models saved by earlier versions of the library keep loading. Each fixture was written with
/// <c>dotnet run --project examples/MnistConvNet -c Release -- --data ../shared/data/mnist --architectures A
/// --epochs 2 --max-train-rows 2048</c> (A, then MapKeyToValue), with its scores of the first 64 test images by the
/// same commit's <c>score --max-test-rows 64</c> command: LeNot by commit e32ecc7 (format 0x00010002), SimpleConvNet
/// by commit 917e5fe (format 0x00010003, before the augmentation and settings were recorded).
/// </summary>
[TestClass]
[TestCategory("Integration")] // scores the committed models on the MNIST test images
public sealed class EarlierModelFileTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "ModelFile", "Fixtures", name);

    [TestMethod]
    [DataRow("lenot-format-0x00010002", "LeNot")]
    [DataRow("simpleconvnet-format-0x00010003", "SimpleConvNet")]
    public void ModelSavedByAnEarlierVersion_Loads_WithItsHistoryAndScores(string fixture, string architecture)
    {
        var ml = new MLContext();
        var loaded = (TransformerChain<ITransformer>)ml.Model.Load(Fixture(fixture + ".zip"), out var schema);
        var convNet = loaded.OfType<ConvNetTransformer>().Single();
        Assert.AreEqual(architecture, convNet.ArchitectureName);
        Assert.IsNull(convNet.Model.Augmentation, "not recorded before format 0x00010004");
        Assert.IsNull(convNet.Model.TrainingSettings, "not recorded before format 0x00010004");
        Assert.IsFalse(convNet.History.Any(h => h.Augmented));
        Assert.AreEqual(10, convNet.NumberOfClasses);
        Assert.AreEqual(2, convNet.History.Count);
        Assert.AreEqual(2, convNet.FinalEpoch);
        Assert.AreEqual(784, ((VectorDataViewType)schema["Features"].Type).Size);

        var expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Fixture(fixture + ".scores-64.bin"))).ToArray();
        var scored = loaded.Transform(TestData.Test(ml, 64));
        var actual = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        Assert.AreEqual(expected.Length, actual.Length);
        // Bit-identical on the machine that wrote the fixture; other instruction sets round slightly differently.
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-5f, $"score {i % 10} of test image {i / 10}");
        var digits = scored.GetColumn<string>("PredictedDigit").ToArray();
        for (int row = 0; row < 64; row++)
        {
            int best = Enumerable.Range(0, 10).MaxBy(c => expected[row * 10 + c]);
            Assert.AreEqual(best.ToString(), digits[row], $"test image {row}");
        }
    }
}
