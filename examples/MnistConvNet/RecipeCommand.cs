/// <summary>
/// The recipe command: the augmented small-data recipe (<see cref="ConvNetTrainer.Options.AugmentedRecipe"/>) against
/// the Keras tutorial's, for each network over several seeds, on the training images given (10,000 in ../shared).
/// </summary>
internal static class RecipeCommand
{
    /// <summary>The test accuracy the recipe's median must reach (the tutorial's SimpleConvNet figure on 60,000 images).</summary>
    private const double Target = 0.989;

    // For each architecture and seed: the tutorial's recipe (the architecture's epochs, RMSprop, constant rate, no
    // augmentation) and the augmented recipe, both scored on the whole test split. Prints one Markdown row per seed
    // and one with the medians; exits 1 when a median is below the target.
    public static int Compare(CommandLine arguments)
    {
        var defaults = ConvNetTrainer.Options.AugmentedRecipe();
        Console.WriteLine($"Training images: {MnistDataset.Load(new MLContext(), arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows).GetRowCount():N0}; test images: {(arguments.MaxTestRows is int t ? $"the first {t:N0}" : "the whole test split")}.");
        Console.WriteLine($"Augmented recipe: {defaults.Optimizer}, one-cycle peak {arguments.LearningRate ?? defaults.LearningRate}, augmentation {(arguments.NoAugmentation ? "none (--no-augmentation)" : defaults.Augmentation.ToString())}.");
        string recipeName = arguments.NoAugmentation ? "recipe without augmentation" : "augmented recipe";
        Console.WriteLine($"| network | seed | tutorial recipe: test accuracy | seconds | {recipeName}: test accuracy | seconds | epochs |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        bool met = true;
        foreach (var architecture in arguments.Architectures)
        {
            var tutorial = new List<(double Accuracy, double Seconds)>();
            var recipe = new List<(double Accuracy, double Seconds)>();
            int epochs = 0;
            foreach (int seed in arguments.Seeds)
            {
                var ml = new MLContext(seed);
                var train = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows);
                var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
                tutorial.Add(TrainAndScore(ml, train, test, new ConvNetTrainer.Options { Architecture = architecture }));
                var options = ConvNetTrainer.Options.AugmentedRecipe(architecture);
                if (arguments.Epochs is int chosen)
                    options.Epochs = chosen;
                if (arguments.LearningRate is double rate)
                    options.LearningRate = rate;
                if (arguments.NoAugmentation)
                    options.Augmentation = null;
                epochs = options.Epochs.Value;
                recipe.Add(TrainAndScore(ml, train, test, options));
                Console.WriteLine($"| {architecture} | {seed} | {Percent(tutorial[^1].Accuracy)} | {tutorial[^1].Seconds:F0} | {Percent(recipe[^1].Accuracy)} | {recipe[^1].Seconds:F0} | {epochs} |");
            }
            double median = Median(recipe.Select(r => r.Accuracy));
            met &= median >= Target;
            Console.WriteLine($"| {architecture} | median | {Percent(Median(tutorial.Select(r => r.Accuracy)))} | {Median(tutorial.Select(r => r.Seconds)):F0} | **{Percent(median)}** | {Median(recipe.Select(r => r.Seconds)):F0} | {epochs} |");
        }
        Console.WriteLine(met
            ? $"Every network's median test accuracy with the {recipeName} is at least {Target * 100:F1}%."
            : $"A network's median test accuracy with the {recipeName} is below {Target * 100:F1}%.");
        return met ? 0 : 1;
    }

    private static (double Accuracy, double Seconds) TrainAndScore(MLContext ml, IDataView train, IDataView test, ConvNetTrainer.Options options)
    {
        var clock = Stopwatch.StartNew();
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        return (ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy, seconds);
    }

    private static string Percent(double fraction) => $"{fraction * 100:F2}%";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
