// doc-test: run
// The complete program behind docs/report.md's block, which is lines of this file: a LeNot saved as a chain, as the
// README and the example save it, loaded again and looked into. The doc tests (test/MLNet.ConvNet.Tests/Docs) compile
// it, and run it with MNIST_DATA set.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;


var ml = new MLContext(seed: 1);
IDataView train = MnistDataset.Load(ml, null, MnistSplit.Train, maxRows: 1000);
var fitted = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 2 })
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
    .Fit(train);
ml.Model.Save(fitted, train.Schema, "lenot.zip");
float[] oneImage = train.GetColumn<float[]>("Features").First();

var parameters = ml.Model.Load("lenot.zip", out _).GetConvNet().Model;   // or fitted.GetConvNet().Model
IReadOnlyList<LayerActivation> layers = parameters.GetActivations(oneImage);            // 784 floats in [0, 1]
SaliencyMap pixels = parameters.GetSaliency(oneImage, classIndex: 7);
SaliencyMap regions = parameters.GetGradCam(oneImage, classIndex: 7);                     // "Grad-CAM on conv2d_1"

Console.WriteLine($"{layers.Count} layers; saliency {pixels.Height}x{pixels.Width}, Grad-CAM {regions.Height}x{regions.Width}.");
