using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using static MLNet.ConvNet.Tests.Scoring.FileScoring;

namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// The model files the serving API's tests serve, made once per run in a temporary folder from small generated data,
/// with what the library's own PredictionEngine gives for each test image: gray digits as an image-path .zip, a
/// features .zip and a strict .onnx; RGB 3x40x48 shapes as a features .zip and .onnx; and a second digits network to
/// swap in.
/// </summary>
internal sealed class ServedModels
{
    private static readonly Lazy<ServedModels> _shared = new(() => new ServedModels());

    private ServedModels()
    {
        // The API scores each request on one libtorch thread; a network's last bits can depend on the thread count, so
        // the expected scores are computed on one too.
        int threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
        try
        {
            Build();
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
        }
    }

    private void Build()
    {
        Root = TestData.TempDirectory();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(Root, recursive: true);
        var ml = new MLContext(seed: 1);
        MnistPngExporter.Export(GeneratedDigits.Generate(200, seed: 3), Path.Combine(Root, "digits-train"), "digit");
        MnistPngExporter.Export(GeneratedDigits.Generate(12, seed: 4), Path.Combine(Root, "digits"), "digit");
        Digits = Directory.GetFiles(Path.Combine(Root, "digits"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        // Gray digits, read from image paths: the shape of ML.NET's image samples.
        var files = ImageFolder.Load(ml, Path.Combine(Root, "digits-train"));
        var imagePath = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.ConvNetImageFeatures())
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(files);
        ImagePathZip = Path.Combine(Root, "digits-image-path.zip");
        ml.Model.Save(imagePath, files.Schema, ImagePathZip);
        ImagePathScores = Scores(Digits, ScoreFiles<Scored>(imagePath, Digits));

        // Gray digits, from features: the shared LeNot and SimpleConvNet, as .zip and (LeNot) as strict ONNX.
        var readFeatures = ml.Transforms.ConvNetImageFeatures().Fit(files);
        FeaturesZip = Path.Combine(Root, "lenot-features.zip");
        ml.Model.Save(TrainedModels.LeNot, TrainedModels.Training.Schema, FeaturesZip);
        FeaturesScores = Scores(Digits, ScoreFiles<Scored>(new TransformerChain<ITransformer>(readFeatures, TrainedModels.LeNot), Digits));
        OtherFeaturesZip = Path.Combine(Root, "simpleconvnet-features.zip");
        ml.Model.Save(TrainedModels.SimpleConvNet, TrainedModels.Training.Schema, OtherFeaturesZip);
        OtherFeaturesScores = Scores(Digits, ScoreFiles<Scored>(new TransformerChain<ITransformer>(readFeatures, TrainedModels.SimpleConvNet), Digits));
        FeaturesOnnx = Path.Combine(Root, "lenot.onnx");
        ml.Model.ConvertToStrictOnnx(TrainedModels.LeNot, FeaturesOnly(ml, new ImageShape(1, 28, 28)), FeaturesOnnx);
        OtherFeaturesOnnx = Path.Combine(Root, "simpleconvnet.onnx");
        ml.Model.ConvertToStrictOnnx(TrainedModels.SimpleConvNet, FeaturesOnly(ml, new ImageShape(1, 28, 28)), OtherFeaturesOnnx);

        // RGB 3x40x48 coloured shapes, from features, as .zip and strict ONNX.
        var shape = new ImageShape(3, 40, 48);
        ColouredShapes.ExportPng(ColouredShapes.Generate(60, shape, seed: 1), shape, Path.Combine(Root, "shapes-train"));
        ColouredShapes.ExportPng(ColouredShapes.Generate(8, shape, seed: 2), shape, Path.Combine(Root, "shapes"));
        Shapes = Directory.GetFiles(Path.Combine(Root, "shapes"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var shapeFiles = ImageFolder.Load(ml, Path.Combine(Root, "shapes-train"));
        var readShapes = ml.Transforms.ConvNetImageFeatures(shape).Fit(shapeFiles);
        var shapeFeatures = ml.Transforms.Conversion.MapValueToKey("Label").Fit(readShapes.Transform(shapeFiles)).Transform(readShapes.Transform(shapeFiles));
        var rgb = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1, InputShape = shape }).Fit(shapeFeatures);
        RgbZip = Path.Combine(Root, "shapes.zip");
        ml.Model.Save(rgb, shapeFeatures.Schema, RgbZip);
        RgbOnnx = Path.Combine(Root, "shapes.onnx");
        ml.Model.ConvertToStrictOnnx(rgb, FeaturesOnly(ml, shape), RgbOnnx);
        RgbScores = Scores(Shapes, ScoreFiles<Scored>(new TransformerChain<ITransformer>(readShapes, rgb), Shapes));
    }

    public static ServedModels Shared => _shared.Value;

    public string Root { get; private set; }

    /// <summary>Twelve generated digits as PNG files, in a fixed order.</summary>
    public IReadOnlyList<string> Digits { get; private set; }

    /// <summary>Eight generated 3x40x48 coloured shapes as PNG files, in a fixed order.</summary>
    public IReadOnlyList<string> Shapes { get; private set; }

    public string ImagePathZip { get; private set; }

    public string FeaturesZip { get; private set; }

    public string OtherFeaturesZip { get; private set; }

    public string FeaturesOnnx { get; private set; }

    public string OtherFeaturesOnnx { get; private set; }

    public string RgbZip { get; private set; }

    public string RgbOnnx { get; private set; }

    /// <summary>The library PredictionEngine's scores for each of <see cref="Digits"/> (or <see cref="Shapes"/>), by file.</summary>
    public IReadOnlyDictionary<string, float[]> ImagePathScores { get; private set; }

    public IReadOnlyDictionary<string, float[]> FeaturesScores { get; private set; }

    public IReadOnlyDictionary<string, float[]> OtherFeaturesScores { get; private set; }

    public IReadOnlyDictionary<string, float[]> RgbScores { get; private set; }

    /// <summary>An empty view with just the features column: ONNX export starts the network there.</summary>
    internal static IDataView FeaturesOnly(MLContext ml, ImageShape shape)
    {
        var schema = SchemaDefinition.Create(typeof(FeaturesRow));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Size);
        return ml.Data.LoadFromEnumerable(new List<FeaturesRow>(), schema);
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; }
    }

    private static Dictionary<string, float[]> Scores(IReadOnlyList<string> images, List<Scored> scored)
        => images.Zip(scored, (path, s) => (path, s.Score)).ToDictionary(p => p.path, p => p.Score);
}
