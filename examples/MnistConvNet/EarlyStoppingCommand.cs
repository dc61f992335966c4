/// <summary>The early-stopping command: the Keras recipe against early stopping, over seeds.</summary>
internal static class EarlyStoppingCommand
{
    // For each architecture and seed: (a) the tutorial's fixed-epoch run, scored on the test split after every
    // epoch (the test split as its validation set, early stopping off), and (b) a run that holds out a share of the
    // training rows for validation (--validation-fraction, default 0.05), stops early on validation loss (--patience, default 4) and restores the best
    // epoch's weights, halves the learning rate after a validation plateau (--plateau-factor, default 0.5, "none"
    // turns it off; --plateau-patience, default 2), with up to twice the tutorial's epochs. Prints the best and the last single-epoch test accuracy of (a) and the test
    // accuracy (b) ends with.
    public static int CompareEarlyStopping(CommandLine arguments)
    {
        var seeds = arguments.Seeds;
        Console.WriteLine("| network | seed | fixed run: best epoch's test accuracy | fixed run: last epoch | early stopping: stopped after | restored epoch | test accuracy | at or above the best? |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        int below = 0;
        foreach (var architecture in arguments.Architectures)
        {
            foreach (int seed in seeds)
            {
                var ml = new MLContext(seed);
                var train = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Train, arguments.MaxTrainRows);
                var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
                var fixedOptions = new ConvNetTrainer.Options { Architecture = architecture, Epochs = arguments.Epochs, ValidationSet = test, EarlyStopping = false };
                using var fixedRun = ml.MulticlassClassification.Trainers.ConvNet(fixedOptions).Fit(train);
                double best = fixedRun.History.Max(h => h.ValidationAccuracy.Value);
                double last = fixedRun.History[^1].ValidationAccuracy.Value;

                int maxEpochs = 2 * (arguments.Epochs ?? fixedRun.Architecture.DefaultEpochs);
                var stoppingOptions = new ConvNetTrainer.Options
                {
                    Architecture = architecture, Epochs = maxEpochs, ValidationFraction = arguments.ValidationFraction, Patience = arguments.Patience,
                    LearningRateSchedule = arguments.PlateauFactor is double factor ? LearningRateSchedule.ReduceOnPlateau(factor: factor, patience: arguments.PlateauPatience) : LearningRateSchedule.Constant,
                };
                using var stopped = ml.MulticlassClassification.Trainers.ConvNet(stoppingOptions).Fit(train);
                double accuracy = ml.MulticlassClassification.Evaluate(stopped.Transform(test)).MicroAccuracy;
                bool atOrAbove = accuracy >= best;
                below += atOrAbove ? 0 : 1;
                Console.WriteLine($"| {architecture} | {seed} | {best:P2} | {last:P2} | {stopped.History.Count} of {maxEpochs} epochs | {stopped.FinalEpoch} | {accuracy:P2} | {(atOrAbove ? "yes" : $"no, {(best - accuracy) * 100:F2} points below")} |");
            }
        }
        return below == 0 ? 0 : 1;
    }
}
