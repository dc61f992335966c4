using Microsoft.ML.Transforms.Image;

/// <summary>
/// The tasks command (docs/tasks.md): a ConvNet in ML.NET's binary and regression catalogs on real MNIST digits, against
/// the natural ML.NET baselines on the same images: the pretrained ResNet18's 512 features (DnnFeaturizeImage) under
/// LbfgsLogisticRegression and Sdca, and the raw pixels under the same trainers. Binary: "is it a 9?" (9 against the
/// other nine digits), with AUC, F1, log-loss and the expected calibration error of the ConvNet's probability before
/// (the sigmoid of its output) and after Platt's calibration on a validation split. Regression: the angle, in degrees,
/// by which each digit was rotated (uniform in [-45, 45], drawn from --seed), with MAE, RMSE and R². Prints Markdown tables.
/// </summary>
internal static class TasksCommand
{
    private const int Side = 28;

    private sealed class Row
    {
        [VectorType(1, Side, Side)] public float[] Features { get; set; }

        public bool IsNine { get; set; }

        public float Angle { get; set; }

        [ImageType(Side, Side)] public MLImage Image { get; set; }
    }

    public static int Run(CommandLine arguments)
    {
        int trainRows = arguments.MaxTrainRows ?? 10_000, testRows = arguments.MaxTestRows ?? 10_000;
        var train = Rows(MnistDataset.ReadSplit(arguments.DataDirectory, MnistSplit.Train, trainRows), arguments.Seed);
        var test = Rows(MnistDataset.ReadSplit(arguments.DataDirectory, MnistSplit.Test, testRows), arguments.Seed + 1);
        var ml = new MLContext(seed: arguments.Seed);
        var trainView = ml.Data.LoadFromEnumerable(train);
        var testView = ml.Data.LoadFromEnumerable(test);
        int epochs = arguments.Epochs ?? 5;
        Console.WriteLine($"MNIST (real): {train.Count:N0} training images (the first of the official training split) and {test.Count:N0} test images; each rotated by an angle uniform in [-45, 45] degrees (seed {arguments.Seed}); SimpleConvNet, {epochs} epochs.");

        // ResNet18's features of every image once, at its 224x224, for both baselines.
        var (trainFeatures, testFeatures, featureSeconds) = ResNet18Features.Add(ml, trainView, testView, "Features", "IsNine", "Angle");

        Binary(ml, trainFeatures, testFeatures, epochs, arguments.Seed, featureSeconds);
        Regression(ml, trainFeatures, testFeatures, epochs, arguments.Seed, featureSeconds);
        return 0;
    }

    private static void Binary(MLContext ml, IDataView train, IDataView test, int epochs, int seed, double featureSeconds)
    {
        var label = ml.Transforms.CopyColumns("Label", "IsNine");
        var convNet = ml.BinaryClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Epochs = epochs, Seed = seed, ValidationFraction = 0.1 });
        var rows = new List<string>();
        var (model, seconds) = Fit(label.Append(convNet), train);
        var scored = model.Transform(test);
        var metrics = ml.BinaryClassification.Evaluate(scored);
        var task = (BinaryClassificationTask)((ConvNetTransformer)model.LastTransformer).Task;
        var labels = scored.GetColumn<bool>("Label").ToArray();
        var scores = scored.GetColumn<float>("Score").ToArray();
        double before = MLNet.ConvNet.Plots.TaskPlots.ExpectedCalibrationError(scores.Select(s => 1 / (1 + Math.Exp(-s))).ToArray(), labels);
        double after = MLNet.ConvNet.Plots.TaskPlots.ExpectedCalibrationError(scored.GetColumn<float>("Probability").Select(p => (double)p).ToArray(), labels);
        rows.Add(BinaryRow("ConvNet (SimpleConvNet, Platt on a 10% validation split)", metrics, seconds, $"{before:F4} → {after:F4}"));
        foreach (var (name, features, extra) in new[] { ("ResNet18 features + LbfgsLogisticRegression", "ResNet18", featureSeconds), ("pixels + LbfgsLogisticRegression", "Features", 0.0) })
        {
            var (baseline, baselineSeconds) = Fit(label.Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression("Label", features)), train);
            var baselineScored = baseline.Transform(test);
            double ece = MLNet.ConvNet.Plots.TaskPlots.ExpectedCalibrationError(baselineScored.GetColumn<float>("Probability").Select(p => (double)p).ToArray(), labels);
            rows.Add(BinaryRow(name, ml.BinaryClassification.Evaluate(baselineScored), baselineSeconds + extra, $"{ece:F4}"));
        }
        Console.WriteLine();
        Console.WriteLine($"Binary: is the digit a 9? ({labels.Count(l => l):N0} nines among the {labels.Length:N0} test images.) Calibration: slope {task.CalibrationSlope:G4}, offset {task.CalibrationOffset:G4}.");
        Console.WriteLine("| method | AUC | F1 | accuracy (%) | log-loss | expected calibration error | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
    }

    private static string BinaryRow(string method, CalibratedBinaryClassificationMetrics m, double seconds, string ece) => string.Create(CultureInfo.InvariantCulture,
        $"| {method} | {m.AreaUnderRocCurve:F4} | {m.F1Score:F4} | {m.Accuracy * 100:F2} | {m.LogLoss:F4} | {ece} | {seconds:F0} |");

    private static void Regression(MLContext ml, IDataView train, IDataView test, int epochs, int seed, double featureSeconds)
    {
        var label = ml.Transforms.CopyColumns("Label", "Angle");
        var rows = new List<string>();
        foreach (var loss in new[] { RegressionLoss.Squared, RegressionLoss.Huber })
        {
            var convNet = ml.Regression.Trainers.ConvNet(new ConvNetTrainer.Options { Epochs = epochs, Seed = seed, RegressionLoss = loss });
            var (model, seconds) = Fit(label.Append(convNet), train);
            rows.Add(RegressionRow($"ConvNet (SimpleConvNet, {loss} loss)", ml.Regression.Evaluate(model.Transform(test)), seconds));
        }
        foreach (var (name, features, extra) in new[] { ("ResNet18 features + Sdca", "ResNet18", featureSeconds), ("pixels + Sdca", "Features", 0.0) })
        {
            var (baseline, seconds) = Fit(label.Append(ml.Regression.Trainers.Sdca("Label", features)), train);
            rows.Add(RegressionRow(name, ml.Regression.Evaluate(baseline.Transform(test)), seconds + extra));
        }
        Console.WriteLine();
        Console.WriteLine("Regression: the angle (degrees) each digit was rotated by.");
        Console.WriteLine("| method | MAE (degrees) | RMSE (degrees) | R² | seconds |");
        Console.WriteLine("|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
    }

    private static string RegressionRow(string method, RegressionMetrics m, double seconds) => string.Create(CultureInfo.InvariantCulture,
        $"| {method} | {m.MeanAbsoluteError:F2} | {m.RootMeanSquaredError:F2} | {m.RSquared:F4} | {seconds:F0} |");

    private static (TransformerChain<ITransformer> Model, double Seconds) Fit<T>(EstimatorChain<T> pipeline, IDataView train) where T : class, ITransformer
    {
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        var chain = new TransformerChain<ITransformer>(model.Cast<ITransformer>().ToArray());
        return (chain, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Each digit rotated about its centre by an angle drawn from <paramref name="seed"/> (bilinear, black outside), as features, an image and the labels.</summary>
    private static List<Row> Rows(MnistData data, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(data.Labels.Length);
        for (int i = 0; i < data.Labels.Length; i++)
        {
            float angle = (float)(random.NextDouble() * 90 - 45);
            var pixels = Rotate(data.Images.Pixels.AsSpan(i * Side * Side, Side * Side), angle);
            var bgra = new byte[Side * Side * 4];
            for (int p = 0; p < pixels.Length; p++)
            {
                byte v = (byte)Math.Clamp(Math.Round(pixels[p] * 255), 0, 255);
                bgra[p * 4] = bgra[p * 4 + 1] = bgra[p * 4 + 2] = v;
                bgra[p * 4 + 3] = 255;
            }
            rows.Add(new Row { Features = pixels, IsNine = data.Labels[i] == 9, Angle = angle, Image = MLImage.CreateFromPixels(Side, Side, MLPixelFormat.Bgra32, bgra) });
        }
        return rows;
    }

    private static float[] Rotate(ReadOnlySpan<byte> image, float degrees)
    {
        var result = new float[Side * Side];
        double radians = degrees * Math.PI / 180, cos = Math.Cos(radians), sin = Math.Sin(radians), centre = (Side - 1) / 2.0;
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                // The source point that lands on (x, y) when the image turns by the angle (counter-clockwise on screen).
                double dx = x - centre, dy = y - centre;
                double sx = cos * dx - sin * dy + centre, sy = sin * dx + cos * dy + centre;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0, value = 0;
                for (int j = 0; j < 2; j++)
                {
                    for (int k = 0; k < 2; k++)
                    {
                        int px = x0 + k, py = y0 + j;
                        if (px >= 0 && px < Side && py >= 0 && py < Side)
                            value += image[py * Side + px] * (k == 0 ? 1 - fx : fx) * (j == 0 ? 1 - fy : fy);
                    }
                }
                result[y * Side + x] = (float)(value / 255);
            }
        }
        return result;
    }
}
