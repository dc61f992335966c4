using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Scoring;

[TestClass]
public sealed class ConcurrencyAndResourceTests
{
    private static MLContext _ml;
    private static ConvNetTransformer _model;
    private static MnistData _test;

    [ClassInitialize]
    public static void Train(TestContext context)
    {
        _ml = TrainedModels.Ml;
        _model = TrainedModels.LeNot;
        _test = GeneratedDigits.Generate(1200, seed: 2);
    }


    private sealed class Digit
    {
        [VectorType(784)] public float[] Features { get; set; }
    }

    private sealed class Scored
    {
        public float[] Score { get; set; }
        public uint PredictedLabel { get; set; }
    }

    private static Digit Image(int i) => new() { Features = _test.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray() };

    [TestMethod]
    public void OneTransformer_FromManyThreads_GivesTheSequentialResults()
    {
        const int threads = 6, perThread = 150;
        var sequentialEngine = _ml.Model.CreatePredictionEngine<Digit, Scored>(_model);
        var expected = Enumerable.Range(0, threads * perThread).Select(i => sequentialEngine.Predict(Image(i)).Score).ToArray();
        var slices = Enumerable.Range(0, threads).Select(t => TestData.Digits(_ml, 200 + t * 150, seed: 2)).ToArray();
        var expectedTransforms = slices.Select(s => _model.Transform(s).GetColumn<float[]>("Score").SelectMany(x => x).ToArray()).ToArray();

        var engineResults = new float[threads * perThread][];
        var transformResults = new float[threads][];
        var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var engine = _ml.Model.CreatePredictionEngine<Digit, Scored>(_model); // one engine per thread
            start.SignalAndWait();
            for (int i = t * perThread; i < (t + 1) * perThread; i++)
                engineResults[i] = engine.Predict(Image(i)).Score;
            transformResults[t] = _model.Transform(slices[t]).GetColumn<float[]>("Score").SelectMany(x => x).ToArray();
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => Assert.IsTrue(w.Join(TimeSpan.FromMinutes(2)), "A worker thread did not finish."));

        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], engineResults[i], $"PredictionEngine result {i} differs under concurrency.");
        for (int t = 0; t < threads; t++)
            CollectionAssert.AreEqual(expectedTransforms[t], transformResults[t], $"Transform on slice {t} differs under concurrency.");
    }

    [TestMethod]
    public void ThousandsOfPredictionsAndTransforms_LeaveNoTensorsBehind_AndMemoryFlat()
    {
        var engine = _ml.Model.CreatePredictionEngine<Digit, Scored>(_model);
        var inputs = Enumerable.Range(0, 100).Select(Image).ToArray();
        var view = TestData.Digits(_ml, 600, seed: 2);
        void Work(int rounds)
        {
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < 50; i++)
                    engine.Predict(inputs[(r * 50 + i) % inputs.Length]);
                using var cursor = _model.Transform(view).GetRowCursor(_model.Transform(view).Schema);
                while (cursor.MoveNext()) { }
            }
        }

        // What stays alive, not garbage awaiting collection: how much of that a process holds depends on the GC's
        // budgets, which earlier tests in the same process (a web host, for one) tune.
        static long Resident()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return Process.GetCurrentProcess().WorkingSet64;
        }
        Work(5); // warm-up: caches, pools, first allocations
        long tensors = torch.Tensor.TotalCount;
        long resident = Resident();
        Work(60); // 3,000 predictions and 60 full passes of 600 rows
        long tensorGrowth = torch.Tensor.TotalCount - tensors;
        double residentGrowthMiB = (Resident() - resident) / (1024.0 * 1024.0);
        Assert.IsTrue(tensorGrowth <= 0, $"{tensorGrowth} tensors are still alive after the work; something is not disposed.");
        Assert.IsTrue(residentGrowthMiB < 64, $"Resident memory grew by {residentGrowthMiB:F0} MiB over 3,000 predictions and 60 transforms.");
    }
}
