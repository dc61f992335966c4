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

    // Converts a saved model that reads a Features column of 784 floats into ONNX, with Features as its only input,
    // for serving without libtorch (examples/OnnxServing, docs/onnx.md).
    public static int ExportOnnx(CommandLine arguments)
    {
        var ml = new MLContext(seed: 1);
        string source = arguments.Models.Single();
        string target = arguments.OnnxOut ?? Path.ChangeExtension(source, ".onnx");
        var model = ml.Model.Load(source, out _);
        var featuresOnly = ml.Data.LoadFromEnumerable(new List<Image>());
        using (var file = File.Create(target))
            ml.Model.ConvertToOnnx(model, featuresOnly, file);
        Console.WriteLine($"Wrote {target} ({new FileInfo(target).Length / 1024} KiB) from {source}. Serve it: dotnet run --project examples/OnnxServing -c Release -- --model {target} IMAGE.png");
        return 0;
    }

    private sealed class Image
    {
        [VectorType(784)]
        public float[] Features { get; set; }
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
        int classes = model.Transform(test).Schema["Score"].Type is VectorDataViewType v ? v.Size : 0;
        Console.WriteLine($"Wrote {scores.Length / Math.Max(classes, 1):N0} rows x {classes} scores to {arguments.ScoresOut}: float32, little-endian, one row after another ({scores.Length * 4:N0} bytes).");
        return 0;
    }
}
