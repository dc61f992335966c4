// doc-test: run
// The complete program behind docs/getting-started.md's blocks, which are lines of this file. The doc tests
// (test/MLNet.ConvNet.Tests/Docs) compile it, and run it with MNIST_DATA set. To run it yourself: paste it into
// Program.cs of a console project that references MLNet.ConvNet and TorchSharp-cpu.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

var ml = new MLContext(seed: 1);
IDataView train = MnistDataset.Load(ml, null, MnistSplit.Train, maxRows: 2000);   // null: MNIST_DATA, the cache, or a download
using var cancellation = new CancellationTokenSource();
CancellationToken token = cancellation.Token;                                      // cancel it to stop training between batches

var trainer = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options
{
    Architecture = "SimpleConvNet",   // or "LeNot", or one you registered
    Epochs = 5,                       // default: the architecture's own (5 and 10)
    BatchSize = 128,
    LearningRate = 0.001,
    Optimizer = new RMSpropOptimizer(rho: 0.9, epsilon: 1e-7),   // the default, as in Keras
    Seed = 1,                         // default: the MLContext's seed
    NumberOfThreads = null,           // default: one per core (a process-wide libtorch setting)
    CancellationToken = token,
    EpochEnded = e => Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F4}, accuracy {e.Accuracy:P2}"),
});

ml.Log += (_, e) => { if (e.Source.StartsWith("ConvNetTrainer")) Console.WriteLine(e.Message); };

var model = trainer.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
float[] pixels = train.GetColumn<float[]>("Features").First();

var engine = ml.Model.CreatePredictionEngine<DigitInput, DigitPrediction>(model);
var prediction = engine.Predict(new DigitInput { Features = pixels });   // 784 floats in [0, 1]

Console.WriteLine($"The first training image scores {prediction.Score.Max():P1} for its most likely class.");
if (prediction.Score.Length != 10)
    throw new InvalidOperationException($"Expected 10 scores, got {prediction.Score.Length}.");

public sealed class DigitInput { [VectorType(784)] public float[] Features { get; set; } }
public sealed class DigitPrediction { public string PredictedLabel { get; set; } public float[] Score { get; set; } }
