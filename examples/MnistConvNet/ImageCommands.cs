/// <summary>The export-png and images commands: the image-file route.</summary>
internal static class ImageCommands
{
    // Writes a split as PNG files in the class-folder layout: OUT/<digit>/<split>-<index>.png.
    public static int ExportPngs(CommandLine arguments)
    {
        var split = arguments.Split;
        var data = MnistDataset.ReadSplit(arguments.DataDirectory, split, split == MnistSplit.Train ? arguments.MaxTrainRows : arguments.MaxTestRows);
        int written = MnistPngExporter.Export(data, arguments.OutputDirectory, split.ToString().ToLowerInvariant());
        Console.WriteLine($"Wrote {written:N0} PNG files of the {split} split to {Path.GetFullPath(arguments.OutputDirectory)}.");
        return 0;
    }

    // An RGB task from image files: generated discs and crosses in three colours (ColouredShapes) written as 64x64
    // PNG files in class folders, SimpleConvNet built for 3x64x64 from the features column, evaluated on other files.
    public static int TrainOnShapes(CommandLine arguments)
    {
        var ml = new MLContext(seed: arguments.Seed);
        var shape = new ImageShape(3, 64, 64);
        string root = Path.Combine(arguments.OutputDirectory, "shapes");
        ColouredShapes.ExportPng(ColouredShapes.Generate(1200, shape, seed: arguments.Seed), shape, Path.Combine(root, "train"));
        ColouredShapes.ExportPng(ColouredShapes.Generate(300, shape, seed: arguments.Seed + 1000), shape, Path.Combine(root, "test"));
        Console.WriteLine($"Wrote 1,200 training and 300 test images of {shape} to {Path.GetFullPath(root)}.");

        var train = ImageFolder.Load(ml, Path.Combine(root, "train"));
        string architecture = arguments.Architectures[0];
        // The label's mapping is applied to the data, not saved in the model: the saved model takes nothing but a path.
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);
        var pipeline = ml.Transforms.ConvNetImageFeatures(shape)
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = arguments.Epochs ?? 10, BatchSize = 32 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(keys.Transform(train));
        var convNet = model.GetConvNet();
        Console.WriteLine($"Trained {architecture} on {convNet.Model.InputShape} images in {clock.Elapsed.TotalSeconds:F1} s ({convNet.Model.Layers.Sum(l => l.Parameters):N0} parameters).");
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(keys.Transform(ImageFolder.Load(ml, Path.Combine(root, "test")))));
        Console.WriteLine($"Test accuracy {metrics.MicroAccuracy:P2} on 300 images it has not seen.");
        Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        string path = Path.Combine(arguments.OutputDirectory, "shapes.zip");
        ml.Model.Save(model, train.Schema, path);
        Console.WriteLine($"Saved {path}: it takes an ImagePath and returns PredictedLabel, the class name.");
        return 0;
    }

    // The image-file route end to end: export both splits as PNG, train from the image files through the
    // ImageAnalytics pipeline, then score the test split both as PNG files and as IDX records with the same
    // network. The pixels are the same, so the accuracies must agree.
    public static int TrainFromImages(CommandLine arguments)
    {
        var ml = new MLContext(seed: arguments.Seed);
        string images = Path.Combine(arguments.OutputDirectory, "png");
        foreach (var split in new[] { MnistSplit.Train, MnistSplit.Test })
        {
            var data = MnistDataset.ReadSplit(arguments.DataDirectory, split, split == MnistSplit.Train ? arguments.MaxTrainRows : arguments.MaxTestRows);
            string folder = Path.Combine(images, split.ToString().ToLowerInvariant());
            Console.WriteLine($"Exporting {data.Labels.Length:N0} {split} images to {folder}");
            MnistPngExporter.Export(data, folder, split.ToString().ToLowerInvariant());
        }

        var train = ImageFolder.Load(ml, Path.Combine(images, "train"));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);
        string architecture = arguments.Architectures[0];
        var pipeline = ml.Transforms.ConvNetImageFeatures()
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = arguments.Epochs }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(keys.Transform(train));
        Console.WriteLine($"Trained {architecture} from PNG files in {clock.Elapsed.TotalSeconds:F1} s.");

        var fromPngs = ml.MulticlassClassification.Evaluate(model.Transform(keys.Transform(ImageFolder.Load(ml, Path.Combine(images, "test")))));
        var convNet = model.OfType<ConvNetTransformer>().Single();
        var fromIdx = ml.MulticlassClassification.Evaluate(convNet.Transform(MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows)));
        double gap = Math.Abs(fromPngs.MicroAccuracy - fromIdx.MicroAccuracy) * 100;
        Console.WriteLine($"Test accuracy from PNG files: {fromPngs.MicroAccuracy:P2}; from IDX records, same network: {fromIdx.MicroAccuracy:P2}; difference {gap:F2} percentage points.");

        string path = Path.Combine(arguments.OutputDirectory, "digits.zip");
        ml.Model.Save(model, train.Schema, path);
        Console.WriteLine($"Saved {path}: it takes an ImagePath and returns PredictedLabel. Try: dotnet run --project examples/DigitPredictor -- {path} {Path.Combine(images, "test", "7", "test-00000.png")}");
        return gap <= 0.1 ? 0 : 1;
    }
}
