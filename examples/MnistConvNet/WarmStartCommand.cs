/// <summary>The warm-start command: what carrying the optimizer's state into a warm start is worth.</summary>
internal static class WarmStartCommand
{
    // For each architecture, on the same data and seed, twice --epochs epochs (default 2 + 2) three ways: straight;
    // half, then half more from the fitted model in this process (its optimizer's state carried over); and half, saved
    // and loaded, then half more (a fresh optimizer state, as across processes). Prints each run's test accuracy and
    // whether the carried run's weights are the straight run's; exit code 1 when they are not.
    public static int Compare(CommandLine arguments)
    {
        int half = arguments.Epochs ?? 2, differ = 0;
        var ml = new MLContext(seed: arguments.Seed);
        var train = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows);
        var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
        Console.WriteLine($"| network | run | test accuracy | weights |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var architecture in arguments.Architectures)
        {
            ConvNetTrainer Trainer(int epochs) => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = epochs, Seed = arguments.Seed });
            double Accuracy(ITransformer model) => ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;

            using var straight = Trainer(2 * half).Fit(train);
            using var first = Trainer(half).Fit(train);
            using var carried = Trainer(half).Fit(train, first.Model);
            string path = Path.Combine(arguments.OutputDirectory, $"warm-start-{architecture.ToLowerInvariant()}-{half}.zip");
            ml.Model.Save(first, train.Schema, path);
            using var loaded = (ConvNetTransformer)ml.Model.Load(path, out _);
            using var fresh = Trainer(half).Fit(train, loaded.Model);

            bool same = Weights(carried).SequenceEqual(Weights(straight));
            differ += same ? 0 : 1;
            Console.WriteLine($"| {architecture} | {2 * half} epochs straight | {Accuracy(straight):P2} | |");
            Console.WriteLine($"| {architecture} | {half} + {half} in this process (optimizer state carried) | {Accuracy(carried):P2} | {(same ? "the straight run's, bit for bit" : "differ from the straight run's")} |");
            Console.WriteLine($"| {architecture} | {half}, saved and loaded, + {half} (fresh optimizer state) | {Accuracy(fresh):P2} | |");
        }
        return differ == 0 ? 0 : 1;
    }

    private static IEnumerable<float> Weights(ConvNetTransformer model) => model.Model.GetWeights().SelectMany(w => w.Values);
}
