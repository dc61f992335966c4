/// <summary>The evaluate and score commands: saved models in a fresh process.</summary>
internal static class SavedModelCommands
{
    public static int EvaluateSavedModels(CommandLine arguments)
    {
        var ml = new MLContext(seed: 1);
        var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test);
        foreach (var path in arguments.Models)
        {
            var model = ml.Model.Load(path, out _);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            Console.WriteLine($"{Path.GetFileName(path)}: micro-accuracy {metrics.MicroAccuracy:P2}, macro-accuracy {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F4}");
        }
        return 0;
    }

    // Writes every Score vector of the test split (or its first --max-test-rows rows) as raw float32,
    // so that another process can compare them bit for bit.
    public static int WriteScores(CommandLine arguments)
    {
        var ml = new MLContext(seed: 1);
        var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
        var model = ml.Model.Load(arguments.Models.Single(), out _);
        var scores = model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        File.WriteAllBytes(arguments.ScoresOut, System.Runtime.InteropServices.MemoryMarshal.AsBytes(scores.AsSpan()).ToArray());
        return 0;
    }
}
