// Predicts the digit in each image file given on the command line with a model trained from image files:
//   dotnet run --project examples/DigitPredictor -- MODEL.zip IMAGE.png [IMAGE.png ...]
// (examples/MnistConvNet's `images` command trains one and saves models/digits.zip). Images inside a
// folder named after their digit, as exported from MNIST, are also counted against that digit.
using System.Globalization;
using DigitPredictor;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 2)
{
    Console.Error.WriteLine("Usage: DigitPredictor MODEL.zip IMAGE [IMAGE ...]");
    return 2;
}
if (!File.Exists(args[0]))
{
    Console.Error.WriteLine($"error: the model '{args[0]}' does not exist; train one with: dotnet run --project examples/MnistConvNet -c Release -- images --data DIR");
    return 2;
}
DigitModel.ModelPath = args[0];

int errors = 0, labelled = 0, correct = 0;
foreach (var path in args.Skip(1))
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
    catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or NotSupportedException)
    {
        Console.WriteLine($"{path}: error: not an image the model can read ({Innermost(e).Message.Trim()}).");
        errors++;
        continue;
    }
    var top = output.Score.Select((p, i) => (Class: DigitModel.Classes[i], Probability: p)).OrderByDescending(t => t.Probability).Take(3);
    Console.WriteLine($"{path}: {output.PredictedLabel} (top 3: {string.Join(", ", top.Select(t => $"{t.Class} {t.Probability:P1}"))})");

    string folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
    if (DigitModel.Classes.Contains(folder))
    {
        labelled++;
        correct += output.PredictedLabel == folder ? 1 : 0;
    }
}
if (labelled > 0)
    Console.WriteLine($"{correct} of {labelled} images in digit folders predicted as their folder's digit ({(double)correct / labelled:P2}).");
return errors == 0 ? 0 : 1;

static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
