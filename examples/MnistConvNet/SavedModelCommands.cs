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

    // Converts a saved model into a strictly valid ONNX file with its features column as the only input, for serving
    // without libtorch (examples/OnnxServing, docs/onnx.md). A model that reads image paths is exported from the
    // network's features on: image loading has no ONNX form, so the serving application computes the pixels.
    public static int ExportOnnx(CommandLine arguments)
    {
        var ml = new MLContext(seed: 1);
        string source = arguments.Models.Single();
        string target = arguments.OnnxOut ?? Path.ChangeExtension(source, ".onnx");
        var model = ml.Model.Load(source, out var inputSchema);
        var steps = model is IEnumerable<ITransformer> chain ? chain.ToList() : [model];
        int at = steps.FindIndex(t => t is ConvNetTransformer);
        if (at < 0)
            throw new InvalidOperationException($"'{source}' holds no ConvNet transformer; export-onnx converts models trained with MLNet.ConvNet.");
        var convNet = (ConvNetTransformer)steps[at];
        ITransformer exported = model;
        string note = "";
        if (inputSchema.GetColumnOrNull(convNet.FeatureColumnName) is null)
        {
            exported = new TransformerChain<ITransformer>([.. steps.Skip(at)]);
            note = $" The model reads {string.Join(", ", inputSchema.Select(c => $"'{c.Name}'"))}; loading and resizing images has no ONNX form, " +
                $"so the file starts at the network's features ({convNet.Model.InputShape} pixels in [0, 1], channel-major): compute them in the serving application, as examples/OnnxServing does.";
        }
        var definition = SchemaDefinition.Create(typeof(Features));
        var column = definition[nameof(Features.Values)];
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, convNet.Model.InputShape.Size);
        column.ColumnName = convNet.FeatureColumnName;
        var featuresOnly = ml.Data.LoadFromEnumerable(new List<Features>(), definition);
        ml.Model.ConvertToStrictOnnx(exported, featuresOnly, target);
        Console.WriteLine($"Wrote {target} ({new FileInfo(target).Length / 1024} KiB) from {source}.{note} Serve it: dotnet run --project examples/OnnxServing -c Release -- --model {target} IMAGE.png");
        return 0;
    }

    private sealed class Features
    {
        public float[] Values { get; set; }
    }

    // Writes every Score (vector, or one value) of the test split (or its first --max-test-rows rows) as raw float32,
    // so that another process can compare them bit for bit.
    public static int WriteScores(CommandLine arguments)
    {
        var ml = new MLContext(seed: 1);
        var test = MnistDataset.Load(ml, arguments.DataDirectory, MnistSplit.Test, arguments.MaxTestRows);
        var model = ml.Model.Load(arguments.Models.Single(), out _);
        var scored = model.Transform(test);
        // A classifier's Score is a vector; a binary model's and a regression's one Single, a row's only score.
        int classes = scored.Schema["Score"].Type is VectorDataViewType v ? v.Size : 1;
        var scores = scored.Schema["Score"].Type is VectorDataViewType
            ? scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray()
            : scored.GetColumn<float>("Score").ToArray();
        File.WriteAllBytes(arguments.ScoresOut, System.Runtime.InteropServices.MemoryMarshal.AsBytes(scores.AsSpan()).ToArray());
        Console.WriteLine($"Wrote {scores.Length / Math.Max(classes, 1):N0} rows x {classes} scores to {arguments.ScoresOut}: float32, little-endian, one row after another ({scores.Length * 4:N0} bytes).");
        return 0;
    }
}
