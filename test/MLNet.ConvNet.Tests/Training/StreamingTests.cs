using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>Data over the memory budget streams through a shuffle buffer, every row once an epoch, reproducibly.</summary>
[TestClass]
public sealed class StreamingTests
{
    private static IDataView Numbered(MLContext ml, int rows)
    {
        // LoadFromEnumerable takes key values 0-based: 0, 1 and 2 become the keys 1, 2 and 3.
        var list = Enumerable.Range(0, rows).Select(i => new Row { Label = (uint)(i % 3), Features = [i, 0, 0, 0] }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), 3);
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, 2, 2);
        return ml.Data.LoadFromEnumerable(list, schema);
    }

    private static List<int> Epoch(StreamingRows rows, int epoch, bool shuffle, int batchSize = 64)
    {
        var features = new float[batchSize * 4];
        var labels = new float[batchSize];
        var seen = new List<int>();
        foreach (int size in rows.Batches(epoch, batchSize, seed: 7, shuffle, features, labels, null))
        {
            for (int i = 0; i < size; i++)
            {
                int row = (int)features[i * 4];
                Assert.AreEqual(row % 3, (int)labels[i], "features and labels travel together");
                seen.Add(row);
            }
        }
        return seen;
    }

    [TestMethod]
    public void EveryRowComesOnceAnEpoch_InAnOrderTheSeedAndEpochFix()
    {
        var ml = new MLContext(1);
        // A buffer of 100 rows (each row 4 floats + 12 bytes) over 1,000 rows.
        var rows = StreamingRows.Open(Numbered(ml, 1000), new TrainingColumns("Features", "Label", null, 4, 3, () => { }, MulticlassClassificationTask.Instance), batchSize: 16, bufferBytes: 100 * 28);
        Assert.AreEqual(1000, rows.Count);
        Assert.AreEqual(100, rows.BufferRows);
        var first = Epoch(rows, 1, shuffle: true);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 1000).ToList(), first);
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 1000).ToList(), first, "shuffled");
        CollectionAssert.AreEqual(first, Epoch(rows, 1, shuffle: true), "the same seed and epoch give the same order");
        CollectionAssert.AreNotEqual(first, Epoch(rows, 2, shuffle: true), "another epoch, another order");
        CollectionAssert.AreEqual(Enumerable.Range(0, 1000).ToList(), Epoch(rows, 1, shuffle: false), "unshuffled, the rows come in order");
        // The buffer shuffles locally: row r is read only after r - 100 rows have gone out, so it cannot come out sooner.
        Assert.IsTrue(first.Select((row, position) => row - position).Max() <= 100);
    }

    [TestMethod]
    public void DataOverTheBudget_Streams_LearnsAndRepeatsItself()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 3, InMemoryBudgetBytes = 1 << 20, ShuffleBufferBytes = 1000 * 3148 };
        var train = TestData.Digits(ml, 3000);
        using var streamed = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        Assert.IsTrue(messages.Any(m => m.Contains("Streaming 3,000 training images of 1x28x28") && m.Contains("through a shuffle buffer of 1,000 images")), string.Join("\n", messages.Where(m => m.Contains("training images"))));
        var metrics = ml.MulticlassClassification.Evaluate(streamed.Transform(TestData.Digits(ml, 500, seed: 2)));
        Assert.IsTrue(metrics.MicroAccuracy > 0.8, $"streamed training reached {metrics.MicroAccuracy:P1}");
        using var again = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        CollectionAssert.AreEqual(TestData.Weights(streamed), TestData.Weights(again), "same seed, same weights");
    }

    [TestMethod]
    public void AStream_CannotHoldOutAValidationFraction()
    {
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Epochs = 1, InMemoryBudgetBytes = 0, ValidationFraction = 0.1 };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 64)));
        StringAssert.Contains(error.Message, "so it streams, and a stream cannot hold out a ValidationFraction. Give a ValidationSet");
    }

    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Features { get; set; }
    }
}
