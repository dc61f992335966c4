// bench/real-images.sh's measurements: recipes on a real RGB task that nobody here drew. Commands:
//   prepare PACKAGE VENDOR OUT [PER_CLASS]  an emoji-datasource package's 64x64 PNGs in one folder per emoji.json
//                                           category but "Component" (the first PER_CLASS of each, in emoji.json's
//                                           order, if given)
//   run TRAIN TEST ROW SEED                 trains ROW on TRAIN's class folders, scores TEST's; prints one tab-separated
//                                           line: row, training images, seed, accuracy, training and scoring seconds
//   table RESULTS                           the Markdown table of RESULTS' lines: per row and size, the median of the
//                                           seeds and each seed's accuracy
//   binary TRAIN TEST CATEGORY SEED         a binary task: is the image in the category folder CATEGORY? The binary
//                                           ConvNet fine-tuned (FineTuningRecipe, at 64x64 and 128x128) and from scratch (AugmentedRecipe),
//                                           each with a 10% validation split for Platt's calibration, against ResNet18's
//                                           features + LbfgsLogisticRegression; prints a Markdown table of
//                                           ml.BinaryClassification.Evaluate's metrics; BINARY_METHODS=0,2 runs only those rows,
//                                           BINARY_VARIANT=epochs20|balanced|nosmoothing|tta|earlystopping|all changes the ConvNet rows
// Rows: "recipe" is FineTuningRecipe as the library ships it, "recipe-PIECE" the same without one of its pieces and
// "recipe+PIECE" with one more (pieces: geometric, colour, crop, smoothing, mixing or mixup, averaging, tta; they
// compose, as in "recipe+averaging-colour"); "recipe.before" is FineTuningRecipe as it was before the recipes chose
// augmentation (no augmentation at all), "recipe.before+PIECE+..." the same with pieces added; "scratch" is
// AugmentedRecipe as shipped, "scratch.before" as it was (ImageAugmentation.Digits whatever the images); "mlnet" is
// ML.NET's own transfer learning (DnnFeaturizeImage's ResNet18 at 224x224, LbfgsMaximumEntropy).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "prepare" when args.Length is 4 or 5:
        return Prepare(args[1], args[2], args[3], args.Length == 5 ? int.Parse(args[4]) : int.MaxValue);
    case "run" when args.Length == 5:
        return Run(args[1], args[2], args[3], int.Parse(args[4]));
    case "table" when args.Length == 2:
        return Table(args[1]);
    case "binary" when args.Length == 5:
        return Binary(args[1], args[2], args[3], int.Parse(args[4]));
    default:
        Console.Error.WriteLine("usage: prepare PACKAGE VENDOR OUT [PER_CLASS] | run TRAIN TEST ROW SEED | table RESULTS | binary TRAIN TEST CATEGORY_FOLDER SEED");
        return 2;
}

static int Prepare(string package, string vendor, string output, int perClass)
{
    using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "emoji.json")));
    string images = Path.Combine(package, "img", vendor, "64");
    var taken = new Dictionary<string, int>();
    foreach (var emoji in document.RootElement.EnumerateArray())
    {
        string category = emoji.GetProperty("category").GetString()!;
        string file = Path.Combine(images, emoji.GetProperty("image").GetString()!);
        // "Component" holds the five skin-tone swatches, no category of things.
        if (category == "Component" || !File.Exists(file) || taken.GetValueOrDefault(category) >= perClass)
            continue;
        taken[category] = taken.GetValueOrDefault(category) + 1;
        string folder = Path.Combine(output, string.Concat(category.Select(c => char.IsLetterOrDigit(c) ? c : '-')));
        Directory.CreateDirectory(folder);
        File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
    }
    Console.Error.WriteLine($"{vendor}: {taken.Values.Sum():N0} images in {taken.Count} categories ({string.Join(", ", taken.OrderBy(t => t.Key).Select(t => $"{t.Key} {t.Value}"))}).");
    return 0;
}

static int Run(string trainRoot, string testRoot, string row, int seed)
{
    var ml = new MLContext(seed: seed);
    var train = ImageFolder.Load(ml, trainRoot);
    var test = ImageFolder.Load(ml, testRoot);
    int trainingImages = ImageFolder.List(trainRoot).Count;
    var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);
    IEstimator<ITransformer> pipeline = row == "mlnet"
        ? ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
        : ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 64, 64)).Append(ml.MulticlassClassification.Trainers.ConvNet(Options(row, seed, trainingImages)));
    var clock = Stopwatch.StartNew();
    var model = pipeline.Fit(keys.Transform(train));
    double trainSeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(keys.Transform(test)));
    double scoreSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"{row}\t{trainingImages}\t{seed}\t{metrics.MicroAccuracy:F4}\t{trainSeconds:F0}\t{scoreSeconds:F0}");
    (model as IDisposable)?.Dispose();
    return 0;
}

static int Binary(string trainRoot, string testRoot, string category, int seed)
{
    var ml = new MLContext(seed: seed);
    var label = ml.Transforms.CustomMapping<Folder, Answer>((input, output) => { output.IsCategory = input.Label == category; output.Weight = input.Label == category ? 13.5f : 1f; }, contractName: null);
    IDataView Labelled(string root)
    {
        var files = ImageFolder.Load(ml, root);
        return label.Fit(files).Transform(files);
    }
    var train = Labelled(trainRoot);
    var test = Labelled(testRoot);
    int trainingImages = ImageFolder.List(trainRoot).Count;
    long positives = test.GetColumn<bool>("IsCategory").LongCount(b => b), tests = test.GetColumn<bool>("IsCategory").LongCount();
    long trainPositives = train.GetColumn<bool>("IsCategory").LongCount(b => b);
    Console.WriteLine($"Is it in '{category}'? Trained on {trainingImages:N0} images ({trainPositives:N0} yes), scored on {tests:N0} ({positives:N0} yes); seed {seed}.");
    Console.WriteLine();
    Console.WriteLine("| method | AUC | F1 | accuracy (%) | log-loss | seconds (training + scoring) |");
    Console.WriteLine("|---|---|---|---|---|---|");
    bool all = Environment.GetEnvironmentVariable("BINARY_VARIANT") == "all";
    string held = all ? "every training image, uncalibrated" : "Platt on a 10% validation split";
    // The categories in the key order the multiclass row's MapValueToKey gives them.
    VBuffer<ReadOnlyMemory<char>> keyValues = default;
    ml.Transforms.Conversion.MapValueToKey("Category", "Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train)
        .GetOutputSchema(train.Schema)["Category"].GetKeyValues(ref keyValues);
    var names = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
    ConvNetTrainer.Options Multiclass(ConvNetTrainer.Options options)
    {
        options.LabelColumnName = "Category";
        options.Seed = seed;
        // Held out as the binary rows hold it out, so every ConvNet trains on the same images; BINARY_VARIANT=all trains on all.
        options.ValidationFraction = all ? 0 : 0.1;
        return options;
    }
    ConvNetTrainer.Options WithCalibration(ConvNetTrainer.Options options)
    {
        options.LabelColumnName = "IsCategory";
        options.Seed = seed;
        options.ValidationFraction = 0.1;
        switch (Environment.GetEnvironmentVariable("BINARY_VARIANT"))
        {
            case "epochs20": options.Epochs = 20; break;
            case "nosmoothing": options.LabelSmoothing = 0; break;
            case "tta": options.TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip; break;
            case "earlystopping": options.EarlyStopping = null; break; // the plain default: on with validation data
            case "all": options.ValidationFraction = 0; break; // every training image, no calibration (as the baseline trains)
            case "balanced": options.ExampleWeightColumnName = "Weight"; break;
        }
        return options;
    }
    var methods = new (string Name, IEstimator<ITransformer> Pipeline)[]
    {
        ($"binary ConvNet, fine-tuned ResNet18, `FineTuningRecipe` (64x64), {held}",
            ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 64, 64)).Append(ml.BinaryClassification.Trainers.ConvNet(WithCalibration(ConvNetTrainer.Options.FineTuningRecipe(trainingImages: trainingImages))))),
        ("the same at 128x128 (the drawings resized up)",
            ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 128, 128)).Append(ml.BinaryClassification.Trainers.ConvNet(WithCalibration(ConvNetTrainer.Options.FineTuningRecipe(trainingImages: trainingImages))))),
        ($"binary ConvNet, SimpleConvNet from scratch, `AugmentedRecipe` (64x64), {held}",
            ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 64, 64)).Append(ml.BinaryClassification.Trainers.ConvNet(WithCalibration(ConvNetTrainer.Options.AugmentedRecipe())))),
        // Which the binary fine-tuning lacks, the task's labels or the network: the same recipe on the nine categories,
        // scored by its probability of the category.
        ($"fine-tuned ResNet18 on the nine categories (multiclass `FineTuningRecipe`, 64x64), its probability of the category as the score, {(all ? "every training image" : "10% held out")}",
            ml.Transforms.Conversion.MapValueToKey("Category", "Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 64, 64)))
                .Append(ml.MulticlassClassification.Trainers.ConvNet(Multiclass(ConvNetTrainer.Options.FineTuningRecipe(trainingImages: trainingImages))))
                .Append(ml.Transforms.CustomMapping<CategoryScores, BinaryScore>((input, output) =>
                {
                    float p = Math.Clamp(input.Score[Array.IndexOf(names, category)], 1e-7f, 1 - 1e-7f);
                    (output.Probability, output.Score, output.PredictedLabel) = (p, MathF.Log(p / (1 - p)), p > 0.5f);
                }, contractName: null))),
        ("ML.NET: `DnnFeaturizeImage` ResNet18 + `LbfgsLogisticRegression` (224x224)",
            ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
                .Append(ml.Transforms.ResizeImages("Image", 224, 224))
                .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
                .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"))
                .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression("IsCategory", "Features"))),
    };
    var only = Environment.GetEnvironmentVariable("BINARY_METHODS")?.Split(',').Select(int.Parse).ToHashSet();
    foreach (var (name, pipeline) in methods.Where((_, i) => only is null || only.Contains(i)))
    {
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var m = ml.BinaryClassification.Evaluate(model.Transform(test), labelColumnName: "IsCategory");
        double scoreSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {name} | {m.AreaUnderRocCurve:F4} | {m.F1Score:F4} | {m.Accuracy * 100:F2} | {m.LogLoss:F4} | {trainSeconds:F0} + {scoreSeconds:F0} |");
        (model as IDisposable)?.Dispose();
    }
    return 0;
}

// A row's options: a base, then pieces added ("+name") or taken away ("-name").
static ConvNetTrainer.Options Options(string row, int seed, int trainingImages)
{
    var parts = Parts(row);
    var options = parts[0] switch
    {
        "recipe" => ConvNetTrainer.Options.FineTuningRecipe(trainingImages: trainingImages),
        "recipe.before" => Before(trainingImages),
        "scratch" => ConvNetTrainer.Options.AugmentedRecipe(),
        "scratch.before" => ScratchBefore(),
        _ => throw new ArgumentException($"Unknown row base '{parts[0]}' in '{row}'."),
    };
    options.Seed = seed;
    foreach (string part in parts.Skip(1))
    {
        bool add = part[0] == '+';
        switch (part[1..])
        {
            case "geometric": options.Augmentation = add ? ImageAugmentation.Photos : null; break;
            case "colour": options.ColorJitter = add ? ColorJitter.Photos : null; break;
            case "crop": options.RandomResizedCrop = add ? new RandomResizedCrop { MinScale = 0.35 } : null; break;
            case "smoothing": options.LabelSmoothing = add ? 0.1 : 0; break;
            case "mixing": options.Mixing = add ? BatchMixing.MixUpOrCutMix() : null; break;
            case "mixup": options.Mixing = add ? BatchMixing.MixUp() : null; break;
            case "averaging": options.WeightAveraging = add ? new WeightAveraging() : null; break;
            case "tta": options.TestTimeAugmentation = add ? TestTimeAugmentation.HorizontalFlip : TestTimeAugmentation.None; break;
            case "double": options.Epochs *= 2; break;
            default: throw new ArgumentException($"Unknown piece '{part}' in '{row}'.");
        }
    }
    return options;
}

// A row's base, then its pieces, each with its sign: "recipe+averaging-colour" is recipe, +averaging, -colour.
static string[] Parts(string row) => System.Text.RegularExpressions.Regex.Split(row, "(?=[+-])");

// FineTuningRecipe before the recipes chose augmentation, as it was written then: Adam, one-cycle to 0.001, batch 32,
// about 300 steps (at least 10 epochs), the first tenth of them the head alone; no augmentation or other piece.
static ConvNetTrainer.Options Before(int trainingImages)
{
    int epochs = Math.Max(10, (int)Math.Ceiling(300 * 32.0 / trainingImages));
    return new ConvNetTrainer.Options
    {
        Architecture = PretrainedNetworks.ResNet18Name, Epochs = epochs, BatchSize = 32, Optimizer = new AdamOptimizer(), LearningRate = 0.001,
        LearningRateSchedule = LearningRateSchedule.OneCycle(), FineTuning = new FineTuning { HeadEpochs = Math.Max(1, epochs / 10), BackboneLearningRateFactor = 1 },
    };
}

// AugmentedRecipe before it chose augmentation from the images: the digits' augmentation for every image.
static ConvNetTrainer.Options ScratchBefore()
{
    var options = ConvNetTrainer.Options.AugmentedRecipe();
    options.Augmentation = ImageAugmentation.Digits;
    return options;
}

static int Table(string results)
{
    var lines = File.ReadAllLines(results).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).ToList();
    Console.WriteLine("| method | row | training images | median accuracy (%) | per seed (%) | median seconds (training + scoring) |");
    Console.WriteLine("|---|---|---|---|---|---|");
    // The comparison first, then the ablation, whatever order the runs were made in.
    static int Rank(string row) => Array.IndexOf(["recipe", "recipe.before", "scratch", "scratch.before", "mlnet"], row) is var i and >= 0 ? i : 5;
    foreach (var group in lines.GroupBy(l => (Row: l[0], Images: int.Parse(l[1]))).OrderByDescending(g => g.Key.Images).ThenBy(g => Rank(g.Key.Row)).ThenBy(g => g.Key.Row, StringComparer.Ordinal))
    {
        var runs = group.OrderBy(l => int.Parse(l[2])).ToList();
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
        double accuracy = Median(runs.Select(r => double.Parse(r[3]))) * 100;
        string seeds = string.Join(", ", runs.Select(r => $"{double.Parse(r[3]) * 100:F1} (seed {r[2]})"));
        Console.WriteLine($"| {Describe(group.Key.Row)} | `{group.Key.Row}` | {group.Key.Images:N0} | {accuracy:F1} | {seeds} | {Median(runs.Select(r => double.Parse(r[4]))):F0} + {Median(runs.Select(r => double.Parse(r[5]))):F0} |");
    }
    return 0;
}

// What a row is, in words.
static string Describe(string row) => row switch
{
    "recipe" => "fine-tuned ResNet18, `FineTuningRecipe` (64x64)",
    "recipe.before" => "fine-tuned ResNet18, `FineTuningRecipe` before this change (no augmentation)",
    "scratch" => "SimpleConvNet from scratch, `AugmentedRecipe` (64x64)",
    "scratch.before" => "SimpleConvNet from scratch, `AugmentedRecipe` before this change (the digits' augmentation)",
    "mlnet" => "ML.NET: `DnnFeaturizeImage` ResNet18 + `LbfgsMaximumEntropy` (224x224)",
    _ when Parts(row) is ["recipe", .. var pieces] => "the recipe " + string.Join(", ", pieces.Select(p => (p[0] == '+' ? "with " : "without ") + Piece(p[1..]))),
    _ => row,
};

static string Piece(string piece) => piece switch
{
    "geometric" => "its geometric augmentation",
    "colour" => "colour jitter",
    "crop" => "a random resized crop",
    "smoothing" => "label smoothing",
    "mixing" => "mixup/cutmix",
    "mixup" => "mixup",
    "averaging" => "the weight average",
    "tta" => "test-time flip averaging",
    _ => piece,
};

sealed class Folder
{
    public string Label { get; set; } = "";
}

sealed class Answer
{
    public bool IsCategory { get; set; }

    public float Weight { get; set; }
}

sealed class CategoryScores
{
    [Microsoft.ML.Data.VectorType(9)] public float[] Score { get; set; } = [];
}

sealed class BinaryScore
{
    [ColumnName("Score")] public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}
