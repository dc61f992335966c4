using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>
/// Image files that cannot be used are never read silently: training and scoring refuse them naming the file,
/// ImageFolder can leave them out with one warning, and a class folder without images is reported.
/// </summary>
[TestClass]
public sealed class BadImageFileTests
{
    private static string _root = "";
    private static string _modelPath = "";

    /// <summary>Twelve good 28x28 images in three class folders, and a small model trained on them through ConvNetImageFeatures.</summary>
    [ClassInitialize]
    public static void Create(TestContext _)
    {
        _root = TestData.TempDirectory();
        var digits = GeneratedDigits.Generate(30);
        MnistPngExporter.Export(new MnistData(digits.Images, digits.Labels), Path.Combine(_root, "good"), "digit");
        var ml = new MLContext(1);
        // The label's keys are mapped outside the saved model, so it scores rows with an image path alone.
        var images = ImageFolder.Load(ml, Path.Combine(_root, "good"));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(images).Transform(images);
        var model = ml.Transforms.ConvNetImageFeatures()
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(keyed);
        _modelPath = Path.Combine(_root, "model.zip");
        ml.Model.Save(model, keyed.Schema, _modelPath);
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_root, recursive: true);

    private static IEstimator<ITransformer> Pipeline(MLContext ml)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.ConvNetImageFeatures())
            .Append(ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "TinyNet", Epochs = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    /// <summary>Writes one bad file of <paramref name="kind"/> into <paramref name="folder"/> and returns its path.</summary>
    private static string WriteBad(string folder, string kind)
    {
        Directory.CreateDirectory(folder);
        string good = Path.Combine(_root, "good", "3", "digit-00003.png");
        byte[] png = File.ReadAllBytes(good);
        switch (kind)
        {
            case "truncated png":
                return Write(folder, "cut.png", png[..(png.Length / 2)]);
            case "truncated jpeg":
                string jpeg = Path.Combine(folder, "whole.jpg");
                using (var image = MLImage.CreateFromFile(good))
                    image.Save(jpeg);
                byte[] bytes = File.ReadAllBytes(jpeg);
                File.Delete(jpeg);
                return Write(folder, "cut.jpg", bytes[..(bytes.Length * 2 / 3)]);
            case "text named png":
                return Write(folder, "notes.png", "not an image, only text"u8.ToArray());
            case "empty file":
                return Write(folder, "empty.png", []);
            default:
                throw new ArgumentException(kind);
        }
    }

    private static string Write(string folder, string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A copy of the good images with one bad file added to class "3".</summary>
    private static (string Root, string Bad) WithBadFile(string kind)
    {
        string root = Path.Combine(_root, kind.Replace(' ', '-'));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, "good"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(Path.Combine(_root, "good"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target));
            File.Copy(file, target, overwrite: true);
        }
        return (root, WriteBad(Path.Combine(root, "3"), kind));
    }

    public static IEnumerable<object[]> Kinds => [["truncated png"], ["truncated jpeg"], ["text named png"], ["empty file"]];

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void Training_OnAFolderWithABadFile_IsRefused_NamingTheFile(string kind)
    {
        var (root, bad) = WithBadFile(kind);
        var ml = new MLContext(1);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Pipeline(ml).Fit(ImageFolder.Load(ml, root)));
        StringAssert.Contains(error.Message, $"The image file '{bad}' cannot be used: it ");
        StringAssert.Contains(error.Message, "skipUnreadable: true");
    }

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void Scoring_ABadFile_IsRefused_NamingTheFile_ByTransformAndByPredictionEngine(string kind)
    {
        var (_, bad) = WithBadFile(kind);
        var ml = new MLContext(1);
        var model = ml.Model.Load(_modelPath, out _);
        var rows = ml.Data.LoadFromEnumerable(new[] { new ImageFolder.LabelledImage { Label = "3", ImagePath = bad } });

        var batch = Assert.ThrowsExactly<InvalidOperationException>(() => model.Transform(rows).GetColumn<float[]>("Score").ToList());
        StringAssert.Contains(batch.Message, $"The image file '{bad}' cannot be used");

        var engine = ml.Model.CreatePredictionEngine<ImageInput, ImageOutput>(model);
        var single = Assert.Throws<Exception>(() => engine.Predict(new ImageInput { ImagePath = bad }));
        StringAssert.Contains(TestData.Messages(single), $"The image file '{bad}' cannot be used");
    }

    [TestMethod]
    public void TheTruncatedPng_SaysItIsTruncated_AndTheTextFile_ThatItIsNoImage()
    {
        var ml = new MLContext(1);
        var (_, cut) = WithBadFile("truncated png");
        var (_, text) = WithBadFile("text named png");
        var (_, empty) = WithBadFile("empty file");
        var contents = ImageFolder.Inspect(Path.Combine(_root, "truncated-png"), decodeImages: true);
        Assert.AreEqual(cut, contents.Unreadable.Single().Path);
        StringAssert.StartsWith(contents.Unreadable.Single().Problem, "it is truncated or damaged: its header describes a Png of 28x28 pixels");
        StringAssert.StartsWith(ImageFolder.Inspect(Path.Combine(_root, "text-named-png"), decodeImages: true).Unreadable.Single().Problem, "it is not an image SkiaSharp can decode");
        Assert.AreEqual("it is empty (0 bytes)", ImageFolder.Inspect(Path.Combine(_root, "empty-file"), decodeImages: true).Unreadable.Single().Problem);
        Assert.AreEqual(0, ImageFolder.Inspect(Path.Combine(_root, "good"), decodeImages: true).Unreadable.Count);
    }

    [TestMethod]
    public void SkipUnreadable_LeavesBadFilesOut_WithOneWarningNamingEachAndTheCount()
    {
        string root = Path.Combine(_root, "several");
        var (copied, _) = WithBadFile("truncated png");
        foreach (var file in Directory.EnumerateFiles(copied, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(copied, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target));
            File.Copy(file, target, overwrite: true);
        }
        string text = WriteBad(Path.Combine(root, "5"), "text named png");
        var ml = new MLContext(1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };

        var data = ImageFolder.Load(ml, root, skipUnreadable: true);
        var paths = data.GetColumn<string>("ImagePath").ToList();
        Assert.AreEqual(30, paths.Count, "the 30 good images, and neither bad one");
        var warning = warnings.Single(w => w.Contains("Left out", StringComparison.Ordinal));
        StringAssert.Contains(warning, "Left out 2 of 32 image files that cannot be used");
        StringAssert.Contains(warning, Path.Combine(root, "3", "cut.png"));
        StringAssert.Contains(warning, text);
        // And what is left trains.
        var trained = Pipeline(ml).Fit(data);
        Assert.AreEqual(1, ((IEnumerable<ITransformer>)trained).OfType<ConvNetTransformer>().Count());
    }

    [TestMethod]
    public void AnEmptyClassFolder_GetsAWarningNamingIt()
    {
        string root = Path.Combine(_root, "with-empty-class");
        Directory.CreateDirectory(Path.Combine(root, "cat"));
        Directory.CreateDirectory(Path.Combine(root, "dog"));
        File.Copy(Path.Combine(_root, "good", "3", "digit-00003.png"), Path.Combine(root, "cat", "a.png"), overwrite: true);
        File.WriteAllText(Path.Combine(root, "dog", "readme.txt"), "no images here");
        var ml = new MLContext(1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        ImageFolder.Load(ml, root);
        Assert.AreEqual(1, warnings.Count(w => w.Contains($"The class folder '{Path.Combine(root, "dog")}' holds no images", StringComparison.Ordinal)), string.Join("\n", warnings));
        CollectionAssert.AreEqual(new[] { Path.Combine(root, "dog") }, ImageFolder.Inspect(root).EmptyClassFolders.ToArray());
    }

    [TestMethod]
    [DataRow(".png")]
    [DataRow(".jpg")]
    [DataRow(".webp")]
    public void TheCheckedLoader_GivesImageAnalyticsPixelsExactly(string extension)
    {
        // An RGB image with every channel different, saved in the format, read by ConvNetImageFeatures and by LoadImages.
        string folder = Path.Combine(_root, "exact" + extension, "x");
        Directory.CreateDirectory(folder);
        var bgra = new byte[40 * 30 * 4];
        var random = new Random(3);
        for (int i = 0; i < bgra.Length; i += 4)
        {
            bgra[i] = (byte)random.Next(256);
            bgra[i + 1] = (byte)random.Next(256);
            bgra[i + 2] = (byte)random.Next(256);
            bgra[i + 3] = 255;
        }
        string path = Path.Combine(folder, "image" + extension);
        using (var image = MLImage.CreateFromPixels(40, 30, MLPixelFormat.Bgra32, bgra))
            image.Save(path);
        var ml = new MLContext(1);
        var data = ImageFolder.Load(ml, Path.GetDirectoryName(folder));
        var ours = ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 30, 40)).Fit(data).Transform(data).GetColumn<float[]>("Features").Single();
        var theirs = ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 40, 30))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", interleavePixelColors: false, scaleImage: 1f / 255, outputAsFloatArray: true))
            .Fit(data).Transform(data).GetColumn<float[]>("Features").Single();
        CollectionAssert.AreEqual(theirs, ours);
    }

    private sealed class ImageInput
    {
        public string ImagePath { get; set; } = "";
    }

    private sealed class ImageOutput
    {
        public string PredictedLabel { get; set; } = "";
    }
}
