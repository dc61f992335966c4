using System.Reflection;
using Microsoft.ML;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.SampleImages;
using SkiaSharp;

[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 1)]

namespace MLNet.ConvNet.Plots.Tests;

/// <summary>One small trained model shared by the tests (LeNot, 3 epochs on 2,000 generated digits, 10% validation): no MNIST needed.</summary>
internal static class Fixture
{
    private static readonly Lazy<(MLContext Ml, ConvNetTransformer Model, IDataView Test)> _trained = new(() =>
    {
        var ml = new MLContext(1);
        var train = MnistDataset.Load(ml, GeneratedDigits.Generate(2000));
        var test = MnistDataset.Load(ml, GeneratedDigits.Generate(300, seed: 2));
        var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 3, ValidationFraction = 0.1, Seed = 1 }).Fit(train);
        return (ml, model, test);
    });

    public static MLContext Ml => _trained.Value.Ml;

    public static ConvNetTransformer Model => _trained.Value.Model;

    public static IDataView Test => _trained.Value.Test;

    public static string RepoRoot => typeof(Fixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value;

    /// <summary>The first <paramref name="count"/> generated test digits, scaled to [0, 1], and their labels.</summary>
    public static (float[] Images, byte[] Labels) TestImages(int count)
    {
        var split = GeneratedDigits.Generate(count, seed: 2);
        return (split.Images.Pixels.Select(p => p * MnistDataset.PixelScale).ToArray(), split.Labels);
    }

    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "mlnet-convnet-plots-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Decodes a PNG file, failing the test when it does not decode.</summary>
    public static SKBitmap Decode(string path)
    {
        Assert.IsTrue(File.Exists(path), $"{path} was not written");
        var bitmap = SKBitmap.Decode(path);
        Assert.IsNotNull(bitmap, $"{path} is not a PNG that decodes");
        return bitmap;
    }
}
