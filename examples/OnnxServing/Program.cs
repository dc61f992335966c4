// Serves a ConvNet exported to ONNX with ONNX Runtime alone: no TorchSharp, no libtorch, no MLNet.ConvNet.
//   dotnet run --project examples/OnnxServing -c Release -- --mnist ../shared/data/mnist      accuracy on the MNIST test set
//   dotnet run --project examples/OnnxServing -c Release -- IMAGE.png [IMAGE.png | FOLDER ...]   the class of each image
// Options: --model FILE.onnx (default: digits.onnx beside the program, exported from the main example's LeNot;
// docs/onnx.md shows how), --shape CxHxW for a file that does not record its image shape, --invert for dark digits on
// a light background. Any image shape, gray or RGB. Exit code 0 when every input was read.
using System.Diagnostics;
using System.Globalization;
using OnnxServing;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string model = Path.Combine(AppContext.BaseDirectory, "digits.onnx");
string? mnist = null;
string? shapeText = null;
bool invert = false;
var inputs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" when i + 1 < args.Length: model = args[++i]; break;
        case "--mnist" when i + 1 < args.Length: mnist = args[++i]; break;
        case "--shape" when i + 1 < args.Length: shapeText = args[++i]; break;
        case "--invert": invert = true; break;
        case "-h" or "--help" or "help":
            Console.WriteLine("Usage: OnnxServing [--model FILE.onnx] [--shape CxHxW] [--invert] (--mnist DIR | IMAGE-OR-FOLDER ...)");
            return 0;
        default:
            if (args[i].StartsWith('-'))
            {
                Console.Error.WriteLine($"error: unknown option '{args[i]}'. Usage: OnnxServing [--model FILE.onnx] [--shape CxHxW] [--invert] (--mnist DIR | IMAGE-OR-FOLDER ...)");
                return 2;
            }
            inputs.Add(args[i]);
            break;
    }
}
if (mnist is null && inputs.Count == 0)
{
    Console.Error.WriteLine("error: give --mnist DIR or at least one image or folder. Usage: OnnxServing [--model FILE.onnx] [--shape CxHxW] [--invert] (--mnist DIR | IMAGE-OR-FOLDER ...)");
    return 2;
}

ImageClassifier classifier;
try
{
    classifier = new ImageClassifier(model, shapeText is null ? null : ImageClassifier.Parse(shapeText, "--shape"));
}
catch (Exception e) when (e is IOException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
{
    Console.Error.WriteLine($"error: cannot serve '{model}': {e.Message}");
    return 2;
}

if (mnist is not null)
{
    if (classifier.Task != ImageClassifier.Multiclass)
    {
        Console.Error.WriteLine($"error: the MNIST check counts correct digits of a multiclass model; '{Path.GetFileName(model)}' is a {classifier.Task} model. Give it image files instead.");
        return 2;
    }
    if (classifier.Shape != (1, 28, 28))
    {
        Console.Error.WriteLine($"error: the MNIST check needs a model of 1x28x28 images; '{Path.GetFileName(model)}' takes {ImageClassifier.Format(classifier.Shape)} images. Give it image files instead.");
        return 2;
    }
    // A batch at a time: the memory is one batch and the network's activations for it, not the whole test set's.
    int correct = 0, total = 0;
    bool first = true;
    foreach (var (pixels, labels) in Idx.ReadTestSet(mnist, batchSize: 256))
    {
        if (first)
        {
            var one = classifier.Classify(pixels.AsSpan(0, classifier.Values), 1);
            Console.WriteLine($"First prediction {clock.Elapsed.TotalMilliseconds:F0} ms after start: {one[0].Class}.");
            first = false;
        }
        var predictions = classifier.Classify(pixels, labels.Length);
        correct += predictions.Where((p, i) => p.Class == labels[i].ToString()).Count();
        total += labels.Length;
    }
    Console.WriteLine($"{correct} of {total} MNIST test images correct ({(double)correct / total:P2}) with {Path.GetFileName(model)} on ONNX Runtime; peak resident memory {PeakResidentMiB()} MiB.");
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
        pixels = Images.Read(path, classifier.Shape, invert);
    }
    catch (InvalidDataException e)
    {
        Console.WriteLine($"{path}: error: {e.Message}");
        errors++;
        continue;
    }
    var prediction = classifier.Classify(pixels, 1)[0];
    Console.WriteLine($"{path}: " + classifier.Task switch
    {
        ImageClassifier.Binary => $"{prediction.Class} (probability {prediction.Probability:P1}, score {prediction.Score:F3})",
        ImageClassifier.Regression => $"{prediction.Value:G6}",
        ImageClassifier.MultiLabel => $"tags [{string.Join(", ", prediction.Tags!)}] ({string.Join(", ", prediction.Classes.Select((t, i) => $"{t} {prediction.Probabilities[i]:P1}"))})",
        _ => $"{prediction.Class} (top 3: {string.Join(", ", prediction.Top(3).Select(t => $"{t.Class} {t.Probability:P1}"))})",
    });
    string? folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
    if (classifier.Task == ImageClassifier.Multiclass && classifier.Classes.Contains(folder))
    {
        labelled++;
        right += prediction.Class == folder ? 1 : 0;
    }
}
if (labelled > 0)
    Console.WriteLine($"{right} of {labelled} images in class folders predicted as their folder's class ({(double)right / labelled:P2}).");
return errors == 0 ? 0 : 1;

// The process's peak resident set (VmHWM), where Linux reports it.
static string PeakResidentMiB()
{
    const string status = "/proc/self/status";
    string? line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
    return line is null ? "unknown" : (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).ToString();
}
