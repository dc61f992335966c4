// An application that takes MLNet.ConvNet from its package, as a user's does: the MNIST folder is the first argument.
// It writes 1,200 training and 300 test digits as PNG files in class folders, trains LeNot on the files, saves the model,
// loads it, predicts a file with a PredictionEngine and the same image from its bytes, exports it to strict ONNX, and
// draws its training curves and confusion matrix with MLNet.ConvNet.Plots.
// test/PackageConsumer/run-shapes.sh builds it in four shapes (ML.NET 6, ML.NET 5.0.1, beside Microsoft.ML.TorchSharp,
// and without libtorch, where it must stop with the library's message).
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Plots;

string mnist = args[0];
string work = Path.Combine(Path.GetTempPath(), $"convnet-consumer-{Environment.ProcessId}");
try
{
    MnistPngExporter.Export(MnistDataset.ReadSplit(mnist, MnistSplit.Train, maxRows: 1200), Path.Combine(work, "train"), "train");
    MnistPngExporter.Export(MnistDataset.ReadSplit(mnist, MnistSplit.Test, maxRows: 300), Path.Combine(work, "test"), "test");

    var ml = new MLContext(seed: 1);
    var train = ImageFolder.Load(ml, Path.Combine(work, "train"));
    var test = ImageFolder.Load(ml, Path.Combine(work, "test"));
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.ConvNetImageFeatures())
        .Append(ml.MulticlassClassification.Trainers.ConvNet(architecture: "LeNot", epochs: 3))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var model = pipeline.Fit(train);
    string path = Path.Combine(work, "digits.zip");
    ml.Model.Save(model, train.Schema, path);

    var loaded = ml.Model.Load(path, out var schema);
    var metrics = ml.MulticlassClassification.Evaluate(loaded.Transform(test));
    var file = ImageFolder.List(Path.Combine(work, "test"))[0];
    var engine = ml.Model.CreatePredictionEngine<ImageFile, Prediction>(loaded, inputSchema: schema);
    var fromFile = engine.Predict(new ImageFile { ImagePath = file.ImagePath });
    var inMemory = ml.Model.CreatePredictionEngine<InMemoryImage, Prediction>(loaded.ForInMemoryImages());
    var fromBytes = inMemory.Predict(new InMemoryImage { Image = ImageBytes.Decode(File.ReadAllBytes(file.ImagePath)) });
    // Loading and resizing images has no ONNX form: the network is exported from its features on.
    using (var onnx = File.Create(Path.Combine(work, "digits.onnx")))
        ml.Model.ConvertToStrictOnnx(loaded.GetConvNet(), ml.Data.LoadFromEnumerable(new List<FeatureRow>()), onnx);

    var convNet = loaded.GetConvNet();
    var curves = ConvNetPlots.TrainingCurves(convNet.History, convNet.FinalEpoch, Path.Combine(work, "curves.png"));
    var confusion = ConvNetPlots.ConfusionHeatmap(metrics.ConfusionMatrix.Counts, Enumerable.Range(0, 10).Select(d => d.ToString()).ToList(), Path.Combine(work, "confusion.png"));
    bool drawn = new[] { curves.Path, confusion.Path }.All(p => ImageBytes.Decode(File.ReadAllBytes(p)).Width > 0);

    Console.WriteLine($"package consumer: Microsoft.ML {Version("Microsoft.ML.Data")}, ImageAnalytics {Version("Microsoft.ML.ImageAnalytics")}, SkiaSharp {Version("SkiaSharp")}, TorchSharp {Version("TorchSharp")}: " +
        $"LeNot, 3 epochs on 1,200 PNG files, {metrics.MicroAccuracy:P1} on 300 after save and load (chance: 10%); '{Path.GetFileName(file.ImagePath)}' (a {file.Label}) predicted {fromFile.PredictedLabel} from its file and {fromBytes.PredictedLabel} from its bytes; " +
        $"strict ONNX {new FileInfo(Path.Combine(work, "digits.onnx")).Length:N0} bytes; plots {curves.Width}x{curves.Height} and {confusion.Width}x{confusion.Height}");
    bool same = fromFile.PredictedLabel == fromBytes.PredictedLabel && fromFile.Score.SequenceEqual(fromBytes.Score);
    if (!same)
        Console.WriteLine("the file and its bytes scored differently");
    return metrics.MicroAccuracy > 0.5 && same && drawn ? 0 : 1;
}
finally
{
    if (Directory.Exists(work))
        Directory.Delete(work, recursive: true);
}

static string Version(string assembly)
{
    var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == assembly);
    var version = loaded?.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
    return version?.Split('+')[0] ?? "not loaded";
}

sealed class ImageFile
{
    public string Label { get; set; } = "";
    public string ImagePath { get; set; } = "";
}

sealed class FeatureRow
{
    [VectorType(784)]
    public float[] Features { get; set; } = [];
}

sealed class InMemoryImage
{
    [ColumnName(ImageScoring.ImageColumnName), ImageType(1, 1)]
    public MLImage Image { get; set; } = null!;
}

sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
