// doc-test: run
// The complete program behind docs/onnx.md's export block, which is lines of this file: LeNot trained for a moment
// on 1,000 MNIST images, then exported to a strict ONNX file that takes the features alone. The doc tests
// (test/MLNet.ConvNet.Tests/Docs) compile it, and run it with MNIST_DATA set.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

var ml = new MLContext(seed: 1);
IDataView train = MnistDataset.Load(ml, null, MnistSplit.Train, maxRows: 1000);

var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot" })
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel"))
    .Fit(train);

// The graph's inputs are the columns of the data view you pass. Pass one with the features alone, so a serving
// application does not have to feed a label:
var featuresOnly = ml.Data.LoadFromEnumerable(new List<Image>());       // class Image { [VectorType(784)] public float[] Features { get; set; } }
ml.Model.ConvertToStrictOnnx(model, featuresOnly, "digits.onnx");      // or (model, featuresOnly, stream)

Console.WriteLine($"Wrote digits.onnx, {new FileInfo("digits.onnx").Length:N0} bytes.");

public sealed class Image { [VectorType(784)] public float[] Features { get; set; } = []; }
