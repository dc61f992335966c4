// Serves a ConvNet exported to ONNX with ONNX Runtime alone: no TorchSharp, no libtorch, no MLNet.ConvNet.
//   dotnet run --project examples/OnnxServing -c Release -- --mnist ../shared/data/mnist      accuracy on the MNIST test set
//   dotnet run --project examples/OnnxServing -c Release -- IMAGE.png [IMAGE.png | FOLDER ...]   the digit in each image
// Options: --model FILE.onnx (default: digits.onnx beside the program, exported from the main example's LeNot;
// docs/onnx.md shows how), --invert for dark digits on a light background. Exit code 0 when every input was read.
using System.Diagnostics;
using System.Globalization;
using OnnxServing;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string model = Path.Combine(AppContext.BaseDirectory, "digits.onnx");
string mnist = null;
bool invert = false;
var inputs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" when i + 1 < args.Length: model = args[++i]; break;
        case "--mnist" when i + 1 < args.Length: mnist = args[++i]; break;
        case "--invert": invert = true; break;
        case "-h" or "--help" or "help":
            Console.WriteLine("Usage: OnnxServing [--model FILE.onnx] [--invert] (--mnist DIR | IMAGE-OR-FOLDER ...)");
            return 0;
        default:
            if (args[i].StartsWith('-'))
            {
                Console.Error.WriteLine($"error: unknown option '{args[i]}'. Usage: OnnxServing [--model FILE.onnx] [--invert] (--mnist DIR | IMAGE-OR-FOLDER ...)");
                return 2;
            }
            inputs.Add(args[i]);
            break;
    }
}
if (mnist is null && inputs.Count == 0)
{
    Console.Error.WriteLine("error: give --mnist DIR or at least one image or folder. Usage: OnnxServing [--model FILE.onnx] [--invert] (--mnist DIR | IMAGE-OR-FOLDER ...)");
    return 2;
}

DigitClassifier classifier;
try
{
    classifier = new DigitClassifier(model);
}
catch (Exception e) when (e is IOException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
{
    Console.Error.WriteLine($"error: cannot load the model '{model}': {e.Message}");
    return 2;
}

if (mnist is not null)
{
    var (images, labels) = Idx.ReadTestSet(mnist);
    var first = classifier.Classify(images.AsSpan(0, classifier.Pixels), 1);
    Console.WriteLine($"First prediction {clock.Elapsed.TotalMilliseconds:F0} ms after start: {first[0].Class}.");
    var all = classifier.Classify(images, labels.Length);
    int correct = all.Where((p, i) => p.Class == labels[i].ToString()).Count();
    Console.WriteLine($"{correct} of {labels.Length} MNIST test images correct ({(double)correct / labels.Length:P2}) with {Path.GetFileName(model)} on ONNX Runtime.");
    return 0;
}

int errors = 0, labelled = 0, right = 0;
foreach (var path in inputs.SelectMany(Images.Expand))
{
    if (!File.Exists(path))
    {
        Console.WriteLine($"{path}: error: no such file or folder.");
        errors++;
        continue;
    }
    float[] pixels;
    try
    {
        pixels = Images.Read(path, classifier.Width, classifier.Height, invert);
    }
    catch (InvalidDataException e)
    {
        Console.WriteLine($"{path}: error: {e.Message}");
        errors++;
        continue;
    }
    var prediction = classifier.Classify(pixels, 1)[0];
    Console.WriteLine($"{path}: {prediction.Class} (top 3: {string.Join(", ", prediction.Top(3).Select(t => $"{t.Class} {t.Probability:P1}"))})");
    string folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
    if (classifier.Classes.Contains(folder))
    {
        labelled++;
        right += prediction.Class == folder ? 1 : 0;
    }
}
if (labelled > 0)
    Console.WriteLine($"{right} of {labelled} images in digit folders predicted as their folder's digit ({(double)right / labelled:P2}).");
return errors == 0 ? 0 : 1;
