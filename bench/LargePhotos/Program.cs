// bench/large-photos.sh's measurements. Commands:
//   load FOLDER SIZE REPEATS        images per second loading FOLDER's JPEGs to 3xSIZExSIZE features: ConvNetImageFeatures
//                                   with ReducedScale on, off, and ImageAnalytics' own LoadImages for reference
//   emoji PACKAGE SCALE OUT         an emoji-datasource package's 64x64 PNGs as JPEGs SCALE times larger (quality 90),
//                                   in one folder per category
//   accuracy TRAIN TEST EPOCHS      SimpleConvNet at 3x64x64 trained on TRAIN's class folders and scored on TEST's,
//                                   with ReducedScale on and off, seeds 1 to 3
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;
using SkiaSharp;

switch (args.FirstOrDefault())
{
    case "load" when args.Length == 4:
        return Load(args[1], int.Parse(args[2]), int.Parse(args[3]));
    case "emoji" when args.Length == 4:
        return Emoji(args[1], int.Parse(args[2]), args[3]);
    case "accuracy" when args.Length == 4:
        return Accuracy(args[1], args[2], int.Parse(args[3]));
    default:
        Console.Error.WriteLine("usage: load FOLDER SIZE REPEATS | emoji PACKAGE SCALE OUT | accuracy TRAIN TEST EPOCHS");
        return 2;
}

int Load(string folder, int size, int repeats)
{
    var ml = new MLContext(seed: 1);
    var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray();
    var data = ml.Data.LoadFromEnumerable(files.Select(f => new ImageFolder.LabelledImage { Label = "photo", ImagePath = f }));
    var shape = new ImageShape(3, size, size);
    var ways = new (string Name, IEstimator<ITransformer> Features)[]
    {
        ("ConvNetImageFeatures, ReducedScale on (the default)", ml.Transforms.ConvNetImageFeatures(shape)),
        ("ConvNetImageFeatures, ReducedScale off (decoded whole)", ml.Transforms.ConvNetImageFeatures(shape, decoding: new ImageDecoding { ReducedScale = false })),
        ("ImageAnalytics LoadImages, ResizeImages, ExtractPixels", ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", size, size))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", interleavePixelColors: false, scaleImage: 1f / 255, outputAsFloatArray: true))),
    };
    Console.WriteLine($"{files.Length} JPEGs in {folder} ({files.Sum(f => new FileInfo(f).Length) / 1e6:N1} MB) to 3x{size}x{size} features, best of {repeats} passes:");
    foreach (var (name, features) in ways)
    {
        var model = features.Fit(data);
        double best = double.MaxValue;
        for (int pass = 0; pass < repeats; pass++)
        {
            var clock = Stopwatch.StartNew();
            int rows = 0;
            using (var cursor = model.Transform(data).GetRowCursor(model.Transform(data).Schema.Where(c => c.Name == "Features")))
            {
                var getter = cursor.GetGetter<VBuffer<float>>(cursor.Schema["Features"]);
                VBuffer<float> value = default;
                while (cursor.MoveNext())
                {
                    getter(ref value);
                    rows++;
                }
            }
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            if (rows != files.Length)
                throw new InvalidOperationException($"read {rows} rows of {files.Length}");
        }
        Console.WriteLine($"  {name,-58} {files.Length / best,7:N1} images/s ({best * 1000 / files.Length:N0} ms an image)");
    }
    return 0;
}

int Emoji(string package, int scale, string output)
{
    using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "emoji.json")));
    string images = Directory.GetDirectories(Path.Combine(package, "img")).Single();
    int written = 0;
    foreach (var emoji in document.RootElement.EnumerateArray())
    {
        string category = emoji.GetProperty("category").GetString()!;
        string file = Path.Combine(images, "64", emoji.GetProperty("image").GetString()!);
        if (category == "Component" || !File.Exists(file))
            continue;
        string folder = Path.Combine(output, category.Replace(" & ", "-").Replace(' ', '-'));
        Directory.CreateDirectory(folder);
        using var small = SKBitmap.Decode(file);
        // Onto white, then enlarged smoothly: a large picture whose detail is the emoji's.
        using var large = new SKBitmap(new SKImageInfo(small.Width * scale, small.Height * scale, SKColorType.Bgra8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(large))
        {
            canvas.Clear(SKColors.White);
            using var image = SKImage.FromBitmap(small);
            canvas.DrawImage(image, new SKRect(0, 0, large.Width, large.Height), new SKSamplingOptions(SKCubicResampler.Mitchell));
        }
        using var encoded = SKImage.FromBitmap(large).Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(Path.Combine(folder, Path.ChangeExtension(Path.GetFileName(file), ".jpg")), encoded.ToArray());
        written++;
    }
    Console.WriteLine($"Wrote {written:N0} emoji as {64 * scale}x{64 * scale} JPEGs in {Directory.GetDirectories(output).Length} category folders under {output}.");
    return 0;
}

int Accuracy(string trainRoot, string testRoot, int epochs)
{
    foreach (bool reduced in new[] { true, false })
    foreach (int seed in new[] { 1, 2, 3 })
    {
        var ml = new MLContext(seed: seed);
        var train = ImageFolder.Load(ml, trainRoot);
        var test = ImageFolder.Load(ml, testRoot);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 64, 64), decoding: new ImageDecoding { ReducedScale = reduced }))
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "SimpleConvNet", Epochs = epochs, Seed = seed }));
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Console.WriteLine($"  ReducedScale {(reduced ? "on " : "off")}, seed {seed}: SimpleConvNet, {epochs} epochs, {train.GetRowCount() ?? train.GetColumn<string>("ImagePath").Count():N0} training images, " +
            $"accuracy {metrics.MicroAccuracy:P1} on {test.GetColumn<string>("ImagePath").Count():N0} test images (fit {seconds:N0} s)");
    }
    return 0;
}
