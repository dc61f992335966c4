// doc-test: run
// The complete program behind docs/data.md's image-file blocks, which are lines of this file: it writes 1,000 MNIST
// training images as PNG class folders ("digits"), trains LeNot from them, saves digits.zip, and predicts one image
// from its path and from its bytes. The doc tests (test/MLNet.ConvNet.Tests/Docs) compile it, and run it with
// MNIST_DATA set.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

var ml = new MLContext(seed: 1);
MnistPngExporter.Export(MnistDataset.ReadSplit(null, MnistSplit.Train, maxRows: 1000), "digits", "train");

{
    IDataView images = ImageFolder.Load(ml, "digits");                 // Label (folder name), ImagePath (full path)
    var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                 .Fit(images);                                         // applied to the data only, not saved in the model

    var pipeline = ml.Transforms.ConvNetImageFeatures(invert: false)   // load, grayscale, resize to 28x28, pixels * 1/255
                   .Append(ml.MulticlassClassification.Trainers.ConvNet(architecture: "LeNot"))
                   .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var model = pipeline.Fit(keys.Transform(images));
    ml.Model.Save(model, images.Schema, "digits.zip");                 // the image transforms are inside the .zip
}
File.Copy(Directory.GetFiles(Path.Combine("digits", "7"))[0], "scan.png");
{
    var engine = ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(ml.Model.Load("digits.zip", out _));
    string digit = engine.Predict(new ModelInput { ImagePath = "scan.png" }).PredictedLabel;
    Console.WriteLine($"scan.png, a 7, from its path: {digit}");
}
{
    byte[] requestBytes = File.ReadAllBytes("scan.png");           // as a web API receives them
    var saved = ml.Model.Load("digits.zip", out _);                    // image-path or features model
    var model = saved.ForInMemoryImages();
    var engine = ml.Model.CreatePredictionEngine<Request, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
    using var image = ImageBytes.Decode(requestBytes, saved.ImageDecodingOf());   // as the model decodes its files
    var output = engine.Predict(new Request { Image = image });
    Console.WriteLine($"scan.png from its bytes: {output.PredictedLabel}");
}

public class ModelInput  { public string ImagePath { get; set; } }
public class ModelOutput { public string PredictedLabel { get; set; } public float[] Score { get; set; } }
public class Request { [ColumnName(ImageScoring.ImageColumnName), ImageType(1, 1)] public MLImage Image { get; set; } }
