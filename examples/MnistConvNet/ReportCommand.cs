using MLNet.ConvNet.Plots;

/// <summary>The report command: a model (trained here, or loaded from --model) and its training report.</summary>
internal static class ReportCommand
{
    // Without --model: trains the first of --architectures (default SimpleConvNet) with the tutorial's recipe plus a
    // 10% validation split (so the curves have validation lines and early stopping may restore a best epoch), saves it
    // beside the report, and writes the report for the whole test split into --out/report.
    public static int Write(CommandLine arguments)
    {
        var ml = new MLContext(seed: arguments.Seed);
        var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
        string directory = Path.Combine(arguments.OutputDirectory, "report");
        ITransformer model;
        if (arguments.Models.Count > 0)
        {
            model = ml.Model.Load(arguments.Models[0], out _);
            Console.WriteLine($"Loaded {arguments.Models[0]}.");
        }
        else
        {
            string architecture = arguments.Architectures.FirstOrDefault() ?? "SimpleConvNet";
            var train = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows);
            var options = new ConvNetTrainer.Options { Architecture = architecture, Epochs = arguments.Epochs, ValidationFraction = 0.1 };
            var clock = Stopwatch.StartNew();
            model = ml.MulticlassClassification.Trainers.ConvNet(options).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel")).Fit(train);
            string path = Path.Combine(arguments.OutputDirectory, architecture.ToLowerInvariant() + "-report.zip");
            ml.Model.Save(model, train.Schema, path);
            Console.WriteLine($"Trained {architecture} in {clock.Elapsed.TotalSeconds:F0} s and saved it to {path}.");
        }
        var report = ConvNetReport.Write(model, test, directory);
        Console.WriteLine($"Wrote {report.IndexPath} with {report.Pictures.Count} pictures (test accuracy {report.MicroAccuracy:P2}): {string.Join(", ", report.Pictures.Keys)}.");
        return 0;
    }
}
