// One stack's half of bench/stack-pixels.sh. Commands:
//   emoji PACKAGE OUT            class folders of an emoji-datasource package's 64x64 PNGs by category, every 5th to test
//   train ROOT SIZE CHANNELS RESIZING ZIP  LeNot for 3 epochs on ROOT/train through ConvNetImageFeatures at
//                                CHANNELSxSIZExSIZE, resizing Fill or IsoPad
//   score ZIP ROOT OUT            the Score vectors of ROOT/test (float32 rows) and the accuracy
//   pixels ROOT SIZE CHANNELS RESIZING OUT the features ConvNetImageFeatures gives ROOT/test (float32 rows)
//   compare A B WIDTH             how two float32 files of rows of WIDTH differ
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

string stack = $"Microsoft.ML {typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+', '-')[0]}, " +
    $"SkiaSharp {typeof(SkiaSharp.SKBitmap).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+', '-')[0]}";

switch (args.FirstOrDefault())
{
    case "emoji" when args.Length == 3:
        return Emoji(args[1], args[2]);
    case "train" when args.Length == 6:
        return Train(args[1], int.Parse(args[2]), int.Parse(args[3]), Enum.Parse<ImageResizingEstimator.ResizingKind>(args[4]), args[5]);
    case "score" when args.Length == 4:
        return Score(args[1], args[2], args[3]);
    case "pixels" when args.Length == 6:
        return Pixels(args[1], int.Parse(args[2]), int.Parse(args[3]), Enum.Parse<ImageResizingEstimator.ResizingKind>(args[4]), args[5]);
    case "compare" when args.Length == 4:
        return Compare(args[1], args[2], int.Parse(args[3]));
    default:
        Console.Error.WriteLine("usage: emoji PACKAGE OUT | train ROOT SIZE CHANNELS RESIZING ZIP | score ZIP ROOT OUT | pixels ROOT SIZE CHANNELS RESIZING OUT | compare A B WIDTH");
        return 2;
}

int Emoji(string package, string output)
{
    using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "emoji.json")));
    string images = Directory.GetDirectories(Path.Combine(package, "img")).Single();
    int index = 0, written = 0;
    foreach (var emoji in document.RootElement.EnumerateArray().OrderBy(e => e.GetProperty("sort_order").GetInt32()))
    {
        string category = emoji.GetProperty("category").GetString()!;
        string file = Path.Combine(images, "64", emoji.GetProperty("image").GetString()!);
        if (category == "Component" || !File.Exists(file))
            continue;
        string folder = Path.Combine(output, index++ % 5 == 4 ? "test" : "train", category.Replace(" & ", "-").Replace(' ', '-'));
        Directory.CreateDirectory(folder);
        File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        written++;
    }
    Console.WriteLine($"Wrote {written:N0} emoji PNGs in {Directory.GetDirectories(Path.Combine(output, "train")).Length} category folders under {output}.");
    return 0;
}

int Train(string root, int size, int channels, ImageResizingEstimator.ResizingKind resizing, string zip)
{
    var ml = new MLContext(seed: 1);
    var train = ImageFolder.Load(ml, Path.Combine(root, "train"));
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
        .Append(ml.Transforms.ConvNetImageFeatures(new ImageShape(channels, size, size), resizing: resizing))
        .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 3, Seed = 1 }))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    var model = pipeline.Fit(train);
    ml.Model.Save(model, train.Schema, zip);
    Console.WriteLine($"{stack}: trained LeNot on {root}/train at {channels}x{size}x{size} ({resizing}), saved {zip}.");
    return 0;
}

int Score(string zip, string root, string output)
{
    var ml = new MLContext(seed: 1);
    var model = ml.Model.Load(zip, out _);
    var test = ImageFolder.Load(ml, Path.Combine(root, "test"));
    var scored = model.Transform(test);
    var scores = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
    var labels = test.GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).ToArray();
    var predicted = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(l => l.ToString()).ToArray();
    File.WriteAllBytes(output, MemoryMarshal.AsBytes(scores.AsSpan()).ToArray());
    double accuracy = labels.Zip(predicted).Count(p => p.First == p.Second) / (double)labels.Length;
    Console.WriteLine($"{stack}: {Path.GetFileName(zip)} on {labels.Length:N0} test images of {root}: accuracy {accuracy:P2}");
    return 0;
}

int Pixels(string root, int size, int channels, ImageResizingEstimator.ResizingKind resizing, string output)
{
    var ml = new MLContext(seed: 1);
    var data = ImageFolder.Load(ml, Path.Combine(root, "test"));
    var features = ml.Transforms.ConvNetImageFeatures(new ImageShape(channels, size, size), resizing: resizing).Fit(data).Transform(data);
    var values = features.GetColumn<VBuffer<float>>("Features").SelectMany(v => v.DenseValues()).ToArray();
    File.WriteAllBytes(output, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    Console.WriteLine($"{stack}: wrote the {channels}x{size}x{size} features of {root}/test to {output}.");
    return 0;
}

int Compare(string a, string b, int width)
{
    var x = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(a)).ToArray();
    var y = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(b)).ToArray();
    if (x.Length != y.Length || x.Length % width != 0)
    {
        Console.Error.WriteLine($"{a} has {x.Length} values and {b} {y.Length}; expected the same number, a multiple of {width}.");
        return 1;
    }
    int rows = x.Length / width, differentValues = 0, differentRows = 0, differentArgMax = 0;
    double largest = 0;
    for (int row = 0; row < rows; row++)
    {
        var p = x.AsSpan(row * width, width);
        var q = y.AsSpan(row * width, width);
        bool differs = false;
        for (int i = 0; i < width; i++)
        {
            double d = Math.Abs(p[i] - q[i]);
            if (d > 0) { differentValues++; differs = true; }
            largest = Math.Max(largest, d);
        }
        differentRows += differs ? 1 : 0;
        differentArgMax += IndexOfMax(p) != IndexOfMax(q) ? 1 : 0;
    }
    string classes = width <= 1000 ? $"; {differentArgMax:N0} rows change their top class" : "";
    Console.WriteLine($"{Path.GetFileName(a)} vs {Path.GetFileName(b)}: {rows:N0} rows; {differentRows:N0} rows and {differentValues:N0} of {x.Length:N0} values differ; largest difference {largest:G3}{classes}.");
    return 0;
}

static int IndexOfMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++)
        if (values[i] > values[best])
            best = i;
    return best;
}
