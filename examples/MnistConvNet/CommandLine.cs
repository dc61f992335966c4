using System.CommandLine;

/// <summary>
/// The example's command line, on System.CommandLine: `--help`, `-h` or `help` anywhere lists the commands, and each
/// command's `--help` lists its options with their defaults; a bad option or value ends with a message and exit code 1.
/// Each command's action gets one of these records.
/// </summary>
internal sealed record CommandLine(string Command, string DataDirectory, string OutputDirectory, string[] Architectures, int? Epochs, int? MaxTrainRows, int? MaxTestRows, string ScoresOut, string OnnxOut, int Seed, List<string> Models, MnistSplit Split, int[] Seeds, int Patience, double? PlateauFactor, int PlateauPatience, double ValidationFraction)
{
    /// <summary>recipe: the one-cycle peak instead of the recipe's; null for the recipe's.</summary>
    public double? LearningRate { get; init; }

    /// <summary>recipe: train the recipe without its augmentation.</summary>
    public bool NoAugmentation { get; init; }

    /// <summary>transfer: labelled training images per class.</summary>
    public int PerClass { get; init; } = 100;

    /// <summary>transfer: labelled training images per class of the shapes task.</summary>
    public int ShapesPerClass { get; init; } = 20;

    /// <summary>transfer: the height and width ResNet18 is fine-tuned at.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>transfer: digits, shapes or both.</summary>
    public string Task { get; init; } = "both";

    // The option's own message for a value that is no number, or below 1, instead of System.CommandLine's
    // "Cannot parse argument 'abc' for option '--epochs' as expected type 'System.Nullable`1[System.Int32]'".
    private static int? PositiveWholeNumber(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 1)
            return value;
        result.AddError($"{OptionName(result)} takes a whole number of at least 1; got '{text}'.");
        return null;
    }

    private static double? PositiveNumber(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value))
            return value;
        result.AddError($"{OptionName(result)} takes a number above 0, such as 0.005; got '{text}'.");
        return null;
    }

    private static string OptionName(System.CommandLine.Parsing.ArgumentResult result)
        => (result.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name ?? "The option";

    /// <summary>Parses <paramref name="args"/> and runs the chosen command through <paramref name="run"/>; returns the exit code.</summary>
    public static int Invoke(string[] args, Func<CommandLine, int> run)
    {
        var data = new Option<string>("--data") { Description = "Folder with the four MNIST IDX files (gzip or not). Default: $MNIST_DATA, else the per-user cache, downloading into it" };
        var output = new Option<string>("--out") { Description = "Folder for models and other output", DefaultValueFactory = _ => "models" };
        var architectures = new Option<string>("--architectures") { Description = "Registered architectures, comma-separated", DefaultValueFactory = _ => "SimpleConvNet,LeNot" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs to train. Default: each architecture's own (5 for SimpleConvNet, 10 for LeNot); for recipe, the recipe's (50)", CustomParser = PositiveWholeNumber };
        var maxTrainRows = new Option<int?>("--max-train-rows") { Description = "Read only the first N training images. Default: all", CustomParser = PositiveWholeNumber };
        var maxTestRows = new Option<int?>("--max-test-rows") { Description = "Read only the first N test images. Default: all", CustomParser = PositiveWholeNumber };
        var seed = new Option<int>("--seed") { Description = "Seed for weights and shuffling", DefaultValueFactory = _ => 1 };
        var seeds = new Option<string>("--seeds") { Description = "Seeds to compare, comma-separated", DefaultValueFactory = _ => "1,2,3" };
        var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without improvement", DefaultValueFactory = _ => 4 };
        var plateauPatience = new Option<int>("--plateau-patience") { Description = "Learning-rate plateau: epochs without improvement", DefaultValueFactory = _ => 2 };
        var plateauFactor = new Option<string>("--plateau-factor") { Description = "Learning-rate plateau: factor, or 'none' for a constant rate", DefaultValueFactory = _ => "0.5" };
        var validationFraction = new Option<double>("--validation-fraction") { Description = "Share of the training images held out for validation", DefaultValueFactory = _ => 0.05 };
        var split = new Option<MnistSplit>("--split") { Description = "Which MNIST files: Train or Test", DefaultValueFactory = _ => MnistSplit.Test };
        var scoresOut = new Option<string>("--scores-out") { Description = "File that receives the scores", Required = true };
        var onnxOut = new Option<string>("--onnx-out") { Description = "The .onnx file to write. Default: the model's path with .onnx" };
        var models = new Argument<string[]>("models") { Description = "Saved model .zip files", Arity = ArgumentArity.OneOrMore };
        var model = new Argument<string>("model") { Description = "A saved model .zip file" };
        var learningRate = new Option<double?>("--learning-rate") { Description = "The one-cycle peak learning rate. Default: the recipe's (0.005)", CustomParser = PositiveNumber };
        var noAugmentation = new Option<bool>("--no-augmentation") { Description = "Train the recipe without its augmentation, to see what the augmentation adds" };
        var perClass = new Option<int?>("--per-class") { Description = "Labelled training images per class", DefaultValueFactory = _ => 100, CustomParser = PositiveWholeNumber };
        var shapesPerClass = new Option<int?>("--shapes-per-class") { Description = "Labelled training images per class of the shapes task", DefaultValueFactory = _ => 20, CustomParser = PositiveWholeNumber };
        var imageSize = new Option<int?>("--size") { Description = "Height and width the pretrained ResNet18 is fine-tuned at (32 or more)", DefaultValueFactory = _ => 64, CustomParser = PositiveWholeNumber };
        var task = new Option<string>("--task") { Description = "digits (MNIST), shapes (generated RGB) or both", DefaultValueFactory = _ => "both" };
        task.AcceptOnlyFromAmong("digits", "shapes", "both");
        var modelOption = new Option<string>("--model") { Description = "A saved model .zip file to report on. Default: train one" };

        var root = new RootCommand(
            "Trains the Keras MNIST tutorial's two networks with MLNet.ConvNet, evaluates them, saves them as .zip files and " +
            "loads them again in a fresh process. Without a command it trains; the commands below do the rest.");
        Command Add(Command command, params Symbol[] symbols)
        {
            foreach (var symbol in symbols)
            {
                if (symbol is Option option)
                    command.Options.Add(option);
                else
                    command.Arguments.Add((Argument)symbol);
            }
            return command;
        }
        Add(root, data, output, architectures, epochs, maxTrainRows, seed);
        var commands = new[]
        {
            Add(new Command("evaluate", "Evaluates saved models on the MNIST test split, in this process"), data, models),
            Add(new Command("score", "Writes the Score vector of every test image of a saved model to a file (float32, little-endian, row after row) and prints how many"), data, maxTestRows, scoresOut, model),
            Add(new Command("export-onnx", "Converts a saved model into strictly valid ONNX with its features as the only input; a model that reads image paths from the network's features on (docs/onnx.md)"), onnxOut, model),
            Add(new Command("export-png", "Writes an MNIST split as PNG files in class folders"), data, split, output, maxTrainRows, maxTestRows),
            Add(new Command("images", "Trains from PNG files through ImageAnalytics and checks the accuracy against the IDX route"), data, architectures, epochs, maxTrainRows, maxTestRows, seed, output),
            Add(new Command("shapes", "Trains on generated RGB 64x64 image files (ColouredShapes) and prints the test accuracy"), architectures, epochs, seed, output),
            Add(new Command("report", "Trains a network (or loads --model) and writes its training report: index.html with curves, confusion heatmaps, filters, feature maps, saliency and the most confidently wrong test images (docs/report.md)"), data, modelOption, architectures, epochs, maxTrainRows, maxTestRows, seed, output),
            Add(new Command("recipe", "Trains each network with the augmented small-data recipe and with the tutorial's, over several seeds, and prints test accuracy and seconds per run (docs/training.md)"), data, architectures, epochs, maxTrainRows, maxTestRows, seeds, learningRate, noAugmentation),
            Add(new Command("transfer", "Fine-tunes the pretrained ResNet18 on a few labelled images per class and compares it with ML.NET's DnnFeaturizeImage + L-BFGS and SimpleConvNet from scratch (docs/transfer-learning.md)"), data, perClass, shapesPerClass, imageSize, task, epochs, maxTestRows, seed, output),
            Add(new Command("tasks", "Trains a binary ConvNet (is it a 9?) and a regression ConvNet (the angle each digit was rotated by) on MNIST and compares them with ResNet18 features and raw pixels under LbfgsLogisticRegression and Sdca (docs/tasks.md)"), data, epochs, maxTrainRows, maxTestRows, seed),
            Add(new Command("tagging", "Trains a ConvNet tagger on 2x2 grids of MNIST digits (which digits does a picture hold?) and compares it with one LbfgsLogisticRegression per tag on ResNet18 features and raw pixels (docs/tasks.md)"), data, epochs, maxTrainRows, maxTestRows, seed),
            Add(new Command("warm-start", "Trains twice --epochs epochs (default 2 + 2) straight, as a warm start in this process, and as a warm start from a saved model, and prints the test accuracy of each (docs/training.md)"), data, architectures, epochs, maxTrainRows, maxTestRows, seed, output),
            Add(new Command("early-stopping", "Compares early stopping on a validation split with the tutorial's fixed epochs, over several seeds"), data, architectures, epochs, maxTrainRows, seeds, patience, plateauPatience, plateauFactor, validationFraction),
        };
        foreach (var command in commands)
            root.Subcommands.Add(command);

        CommandLine Build(ParseResult r, string name)
        {
            T Get<T>(Option<T> option, T otherwise) => r.GetResult(option) is null ? otherwise : r.GetValue(option);
            string directory = Get(data, null) ?? Environment.GetEnvironmentVariable(MnistDataset.DataEnvironmentVariable);
            if (string.IsNullOrWhiteSpace(directory) && name is not ("export-onnx" or "shapes" or "transfer"))
            {
                // Like keras.datasets.mnist.load_data(): the per-user cache, downloading into it if needed.
                directory = MnistDataset.Locate(new MLContext(), null, MnistSplit.Train);
                MnistDataset.Locate(new MLContext(), null, MnistSplit.Test);
            }
            string outputDirectory = Get(output, "models");
            Directory.CreateDirectory(outputDirectory);
            string factor = Get(plateauFactor, "0.5");
            return new CommandLine(name, directory, outputDirectory,
                Get(architectures, "SimpleConvNet,LeNot").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Get(epochs, null), Get(maxTrainRows, null), Get(maxTestRows, null), Get(scoresOut, null), Get(onnxOut, null), Get(seed, 1),
                [.. r.GetResult(models) is null ? [] : r.GetValue(models), .. r.GetResult(model) is null ? Array.Empty<string>() : [r.GetValue(model)],
                 .. r.GetResult(modelOption) is null ? Array.Empty<string>() : [r.GetValue(modelOption)]],
                Get(split, MnistSplit.Test), Get(seeds, "1,2,3").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
                Get(patience, 4), factor == "none" ? null : double.Parse(factor, CultureInfo.InvariantCulture), Get(plateauPatience, 2), Get(validationFraction, 0.05))
            {
                LearningRate = Get(learningRate, null),
                NoAugmentation = Get(noAugmentation, false),
                PerClass = Get(perClass, 100) ?? 100,
                ShapesPerClass = Get(shapesPerClass, 20) ?? 20,
                ImageSize = Get(imageSize, 64) ?? 64,
                Task = Get(task, "both"),
            };
        }
        root.SetAction(r => run(Build(r, "train")));
        foreach (var command in commands)
            command.SetAction(r => run(Build(r, command.Name)));

        // `help` as a word, as `dotnet help` takes it.
        if (args.Length > 0 && args[0] == "help")
            args = [.. args[1..], "--help"];
        // The program prints the library's errors itself (exit code 2), so exceptions pass through.
        return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
