/// <summary>The example's command line.</summary>
internal sealed record CommandLine(string Command, string DataDirectory, string OutputDirectory, string[] Architectures, int? Epochs, int? MaxTrainRows, int? MaxTestRows, string ScoresOut, string OnnxOut, int Seed, List<string> Models, MnistSplit Split, int[] Seeds, int Patience, double? PlateauFactor, int PlateauPatience, double ValidationFraction)
{
    public static CommandLine Parse(string[] args)
    {
        string command = args.Length > 0 && args[0] is "evaluate" or "score" or "export-png" or "export-onnx" or "images" or "shapes" or "early-stopping" ? args[0] : "train";
        int[] seeds = [1, 2, 3];
        int patience = 4, plateauPatience = 2;
        double validationFraction = 0.05;
        double? plateauFactor = 0.5;
        var split = MnistSplit.Test;
        string data = Environment.GetEnvironmentVariable(MnistDataset.DataEnvironmentVariable);
        string output = "models";
        string[] architectures = ["SimpleConvNet", "LeNot"];
        int? epochs = null, maxRows = null, maxTestRows = null;
        string scoresOut = null, onnxOut = null;
        int seed = 1;
        var models = new List<string>();
        for (int i = command == "train" ? 0 : 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": data = Value(); break;
                case "--out": output = Value(); break;
                case "--architectures": architectures = Value().Split(','); break;
                case "--epochs": epochs = int.Parse(Value()); break;
                case "--max-train-rows": maxRows = int.Parse(Value()); break;
                case "--max-test-rows": maxTestRows = int.Parse(Value()); break;
                case "--scores-out": scoresOut = Value(); break;
                case "--onnx-out": onnxOut = Value(); break;
                case "--seed": seed = int.Parse(Value()); break;
                case "--split": split = Enum.Parse<MnistSplit>(Value(), ignoreCase: true); break;
                case "--seeds": seeds = Value().Split(',').Select(int.Parse).ToArray(); break;
                case "--patience": patience = int.Parse(Value()); break;
                case "--plateau-patience": plateauPatience = int.Parse(Value()); break;
                case "--validation-fraction": validationFraction = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--plateau-factor": string f = Value(); plateauFactor = f == "none" ? null : double.Parse(f, CultureInfo.InvariantCulture); break;
                default:
                    if (command != "train" && !args[i].StartsWith("--"))
                        models.Add(args[i]);
                    else
                        throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--data DIR] [--out DIR] [--architectures A,B] [--epochs N] [--max-train-rows N] [--seed N] | evaluate --data DIR MODEL.zip... | score --data DIR [--max-test-rows N] --scores-out FILE MODEL.zip | export-onnx [--onnx-out FILE.onnx] MODEL.zip | export-png --data DIR --split train|test --out DIR | images --data DIR [--architectures A] [--epochs N] --out DIR | shapes [--architectures A] [--epochs N] [--seed N] --out DIR | early-stopping --data DIR [--seeds 1,2,3]");
                    break;
            }
        }
        if (string.IsNullOrWhiteSpace(data) && command is not ("export-onnx" or "shapes"))
        {
            // Like keras.datasets.mnist.load_data(): the per-user cache, downloading into it if needed.
            data = MnistDataset.Locate(new MLContext(), null, MnistSplit.Train);
            MnistDataset.Locate(new MLContext(), null, MnistSplit.Test);
        }
        Directory.CreateDirectory(output);
        return new CommandLine(command, data, output, architectures, epochs, maxRows, maxTestRows, scoresOut, onnxOut, seed, models, split, seeds, patience, plateauFactor, plateauPatience, validationFraction);
    }
}
