// Predicts the digit in each image file given on the command line with a model trained from image files:
//   dotnet run --project examples/DigitPredictor -- MODEL.zip IMAGE.png [IMAGE.png | FOLDER ...]
// (examples/MnistConvNet's `images` command trains one and saves models/digits.zip). Images inside a
// folder named after their digit, as exported from MNIST, are also counted against that digit.
using System.CommandLine;
using System.Globalization;
using DigitPredictor;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var modelArgument = new Argument<string>("model") { Description = "A model trained from image files (examples/MnistConvNet's `images` command saves models/digits.zip)" };
var imagesArgument = new Argument<string[]>("images") { Description = "Image files, or folders whose images (in subfolders too) are each predicted", Arity = ArgumentArity.OneOrMore };
var root = new RootCommand("Predicts the digit in each image with a saved MLNet.ConvNet model. Exit code 0 when every image was read, 1 otherwise, 2 when nothing could be predicted.");
root.Arguments.Add(modelArgument);
root.Arguments.Add(imagesArgument);
root.SetAction(result => Predict(result.GetRequiredValue(modelArgument), result.GetRequiredValue(imagesArgument)));
if (args.Length > 0 && args[0] == "help")
    args = ["--help"];
return root.Parse(args).Invoke();

static int Predict(string modelPath, string[] inputs)
{
if (!File.Exists(modelPath))
{
    Console.Error.WriteLine($"error: the model '{modelPath}' does not exist; train one with: dotnet run --project examples/MnistConvNet -c Release -- images --data DIR");
    return 2;
}
var images = new List<string>();
foreach (var input in inputs)
{
    if (Directory.Exists(input))
    {
        var found = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
            .Where(f => MLNet.ConvNet.Data.ImageFolder.ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (found.Count == 0)
            Console.Error.WriteLine($"error: the folder '{input}' holds no images ({string.Join(", ", MLNet.ConvNet.Data.ImageFolder.ImageExtensions)}).");
        images.AddRange(found);
    }
    else
    {
        images.Add(input);
    }
}
if (images.Count == 0)
    return 2;
DigitModel.ModelPath = modelPath;
string? problem;
try
{
    problem = DigitModel.ProblemWithModel();
}
catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException or IOException)
{
    problem = $"'{modelPath}' is not a model ML.NET can load ({Innermost(e).Message.Trim()})";
}
if (problem is not null)
{
    Console.Error.WriteLine($"error: {problem}");
    return 2;
}

int errors = 0, labelled = 0, correct = 0;
foreach (var path in images)
{
    if (!File.Exists(path))
    {
        Console.WriteLine($"{path}: error: the file does not exist.");
        errors++;
        continue;
    }
    DigitModel.ModelOutput output;
    try
    {
        output = DigitModel.Predict(new DigitModel.ModelInput { ImagePath = Path.GetFullPath(path) });
    }
    catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or InvalidDataException or NotSupportedException)
    {
        Console.WriteLine($"{path}: error: not an image the model can read ({Innermost(e).Message.Trim()}).");
        errors++;
        continue;
    }
    var top = output.Score.Select((p, i) => (Class: DigitModel.Classes[i], Probability: p)).OrderByDescending(t => t.Probability).Take(3);
    Console.WriteLine($"{path}: {output.PredictedLabel} (top 3: {string.Join(", ", top.Select(t => $"{t.Class} {t.Probability:P1}"))})");

    string? folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
    if (DigitModel.Classes.Contains(folder))
    {
        labelled++;
        correct += output.PredictedLabel == folder ? 1 : 0;
    }
}
if (labelled > 0)
    Console.WriteLine($"{correct} of {labelled} images in digit folders predicted as their folder's digit ({(double)correct / labelled:P2}).");
return errors == 0 ? 0 : 1;
}

static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
