using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// A mistake in the options that needs no data to see is refused before a row is read: a FineTuning.UnfreezeFrom that
/// names no pretrained layer, and a checkpoint folder written by a run with other settings.
/// </summary>
[TestClass]
public sealed class CheckBeforeReadingTests
{
    public sealed class Row
    {
        [KeyType(10)]
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; }
    }

    /// <summary>64 rows of digits, counting each one handed over.</summary>
    private sealed class CountedRows
    {
        public int Read;

        public IEnumerable<Row> Rows()
        {
            for (int i = 0; i < 64; i++)
            {
                Interlocked.Increment(ref Read);
                yield return new Row { Label = (uint)(i % 10 + 1), Features = new float[784] };
            }
        }
    }

    [TestMethod]
    public void AnUnfreezeFromThatNamesNoPretrainedLayer_IsRefusedBeforeARowIsRead()
    {
        ArchitectureRegistry.Register(FineTuningTests.Pretrained("CheckedEarly"), replace: true);
        var ml = new MLContext(seed: 1);
        var counted = new CountedRows();
        var data = ml.Data.LoadFromEnumerable(counted.Rows());
        var options = new ConvNetTrainer.Options { Architecture = "CheckedEarly", Epochs = 1, FineTuning = new FineTuning { UnfreezeFrom = "nrom" } };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(data));
        StringAssert.Contains(error.Message, "FineTuning.UnfreezeFrom is 'nrom', which is no pretrained layer of CheckedEarly. Its pretrained layers, in order: features, norm.");
        Assert.AreEqual(0, counted.Read, "no row was read");
    }

    [TestMethod]
    public void ACheckpointOfARunWithOtherSettings_IsRefusedBeforeARowIsRead()
    {
        string folder = TestData.TempDirectory();
        try
        {
            var ml = new MLContext(seed: 1);
            var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, CheckpointDirectory = folder, ResumeFromCheckpoint = true };
            ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 100)).Dispose();

            var counted = new CountedRows();
            options.BatchSize = 64;
            options.Epochs = 2;
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(ml.Data.LoadFromEnumerable(counted.Rows())));
            StringAssert.Contains(error.Message, "was written by a different training run");
            StringAssert.Contains(error.Message, "batch 64");
            Assert.AreEqual(0, counted.Read, "no row was read");

            // The same settings on other data pass the early check; the row counts are compared once the data is read.
            options.BatchSize = 128;
            var late = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(ml.Data.LoadFromEnumerable(counted.Rows())));
            StringAssert.Contains(late.Message, "(architecture LeNot on 1x28x28, 10 classes, 100 training rows");
            Assert.IsGreaterThan(0, counted.Read);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
