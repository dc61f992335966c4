using Microsoft.ML.Transforms.Image;

/// <summary>
/// The tagging command (docs/tasks.md): which digits a picture holds. Each image is a 2x2 grid of real MNIST digits
/// (56x56); each cell holds a digit drawn at random from the split (three times in four) or stays blank, so a picture
/// has 0 to 4 digits and up to 4 of the 10 tags "0".."9". The ConvNet tagger (SimpleConvNet, at 0.5 and with each tag's
/// threshold tuned for F1 on a 10% validation split) against the natural ML.NET baseline: one LbfgsLogisticRegression
/// per tag on ResNet18's 512 features (DnnFeaturizeImage) and on the raw pixels; every method scored by
/// EvaluateMultiLabel. Prints a Markdown table.
/// </summary>
internal static class TaggingCommand
{
    private const int Digit = 28, Side = 2 * Digit, Tags = 10;

    private sealed class Row
    {
        [VectorType(1, Side, Side)] public float[] Features { get; set; }

        [VectorType(Tags)] public bool[] Label { get; set; }

        [ImageType(Side, Side)] public MLImage Image { get; set; }
    }

    private sealed class Scored
    {
        [VectorType(Tags)] public bool[] Label { get; set; }

        [VectorType(Tags)] public float[] Score { get; set; }

        [VectorType(Tags)] public bool[] PredictedLabels { get; set; }
    }

    public static int Run(CommandLine arguments)
    {
        int trainImages = arguments.MaxTrainRows ?? 10_000, testImages = arguments.MaxTestRows ?? 5_000;
        var train = Grids(MnistDataset.ReadSplit(arguments.DataDirectory, MnistSplit.Train), trainImages, arguments.Seed);
        var test = Grids(MnistDataset.ReadSplit(arguments.DataDirectory, MnistSplit.Test), testImages, arguments.Seed + 1);
        var ml = new MLContext(seed: arguments.Seed);
        var trainView = WithTagNames(ml, train);
        var testView = WithTagNames(ml, test);
        int epochs = arguments.Epochs ?? 10;
        Console.WriteLine($"MNIST (real) 2x2 grids, {Side}x{Side}: {train.Count:N0} training pictures from the official training images read, {test.Count:N0} test pictures from the test images; " +
            $"each cell a random digit (3 in 4) or blank, seed {arguments.Seed}; tags 0..9 (a digit the picture holds); SimpleConvNet, {epochs} epochs.");
        Console.WriteLine($"Tags per test picture: mean {test.Average(r => r.Label.Count(t => t)):F2}.");

        var rows = new List<string>();
        foreach (bool tune in new[] { false, true })
        {
            var trainer = ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options
            {
                Epochs = epochs, Seed = arguments.Seed, ValidationFraction = tune ? 0.1 : 0, TuneTagThresholds = tune,
            });
            var clock = Stopwatch.StartNew();
            using var model = trainer.Fit(trainView);
            double seconds = clock.Elapsed.TotalSeconds;
            rows.Add(Line(tune ? "ConvNet tagger (SimpleConvNet, thresholds tuned on a 10% validation split)" : "ConvNet tagger (SimpleConvNet, threshold 0.5)",
                ml.MulticlassClassification.EvaluateMultiLabel(model.Transform(testView)), seconds));
        }

        var (trainFeatures, testFeatures, featureSeconds) = ResNet18Features.Add(ml, trainView, testView, "Features", "Label");
        foreach (var (name, features, extra) in new[] { ("ResNet18 features + one LbfgsLogisticRegression per tag", "ResNet18", featureSeconds), ("pixels + one LbfgsLogisticRegression per tag", "Features", 0.0) })
        {
            var clock = Stopwatch.StartNew();
            var probabilities = OnePerTag(ml, trainFeatures, testFeatures, features);
            double seconds = clock.Elapsed.TotalSeconds + extra;
            var scored = test.Select((r, i) => new Scored { Label = r.Label, Score = probabilities[i], PredictedLabels = probabilities[i].Select(p => p > 0.5f).ToArray() });
            rows.Add(Line(name, ml.MulticlassClassification.EvaluateMultiLabel(ml.Data.LoadFromEnumerable(scored)), seconds));
        }
        Console.WriteLine();
        Console.WriteLine("| method | macro AUC | micro F1 | macro F1 | Hamming loss | subset accuracy (%) | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static string Line(string method, MultiLabelMetrics m, double seconds) => string.Create(CultureInfo.InvariantCulture,
        $"| {method} | {m.MacroAuc:F4} | {m.MicroF1:F4} | {m.MacroF1:F4} | {m.HammingLoss:F4} | {m.SubsetAccuracy * 100:F2} | {seconds:F0} |");

    /// <summary>Each test picture's probability per tag: one L-BFGS logistic regression per tag on <paramref name="features"/>.</summary>
    private static float[][] OnePerTag(MLContext ml, IDataView train, IDataView test, string features)
    {
        int count = test.GetColumn<bool[]>("Label").Count();
        var probabilities = Enumerable.Range(0, count).Select(_ => new float[Tags]).ToArray();
        for (int tag = 0; tag < Tags; tag++)
        {
            int t = tag;
            var pick = ml.Transforms.CustomMapping<TagsIn, TagOut>((input, output) => output.Tag = input.Label[t], contractName: null);
            var pipeline = pick.Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression("Tag", features));
            var p = pipeline.Fit(train).Transform(test).GetColumn<float>("Probability").ToArray();
            for (int i = 0; i < count; i++)
                probabilities[i][tag] = p[i];
        }
        return probabilities;
    }

    private sealed class TagsIn
    {
        [VectorType(Tags)] public bool[] Label { get; set; }
    }

    private sealed class TagOut
    {
        public bool Tag { get; set; }
    }

    private static IDataView WithTagNames(MLContext ml, List<Row> rows)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        var names = new VBuffer<ReadOnlyMemory<char>>(Tags, Enumerable.Range(0, Tags).Select(t => t.ToString(CultureInfo.InvariantCulture).AsMemory()).ToArray());
        schema["Label"].AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, Tags));
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary><paramref name="count"/> 2x2 grids of the split's digits, drawn from <paramref name="seed"/>.</summary>
    private static List<Row> Grids(MnistData data, int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (int n = 0; n < count; n++)
        {
            var pixels = new float[Side * Side];
            var tags = new bool[Tags];
            for (int cell = 0; cell < 4; cell++)
            {
                if (random.Next(4) == 0)
                    continue; // blank
                int i = random.Next(data.Labels.Length);
                tags[data.Labels[i]] = true;
                int top = cell / 2 * Digit, left = cell % 2 * Digit;
                for (int y = 0; y < Digit; y++)
                {
                    for (int x = 0; x < Digit; x++)
                        pixels[(top + y) * Side + left + x] = data.Images.Pixels[i * Digit * Digit + y * Digit + x] / 255f;
                }
            }
            var bgra = new byte[Side * Side * 4];
            for (int p = 0; p < pixels.Length; p++)
            {
                byte v = (byte)Math.Round(pixels[p] * 255);
                bgra[p * 4] = bgra[p * 4 + 1] = bgra[p * 4 + 2] = v;
                bgra[p * 4 + 3] = 255;
            }
            rows.Add(new Row { Features = pixels, Label = tags, Image = MLImage.CreateFromPixels(Side, Side, MLPixelFormat.Bgra32, bgra) });
        }
        return rows;
    }
}
