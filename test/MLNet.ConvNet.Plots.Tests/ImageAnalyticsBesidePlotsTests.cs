using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Plots.Tests;

/// <summary>
/// The plots and ML.NET's ImageAnalytics in one application, as a user with image files has them: on the SkiaSharp of
/// the stack (2.88 for ImageAnalytics 5.0.1, which fails on SkiaSharp 3 and is why the plots are not drawn with ScottPlot 5;
/// 3 for ImageAnalytics 6). PNG files through ConvNetImageFeatures must give the exported pixels exactly.
/// </summary>
[TestClass]
public sealed class ImageAnalyticsBesidePlotsTests
{
    [TestMethod]
    public void ImageAnalytics_BesideThePlots_ReadsPngsToTheExportedPixels()
    {
        Assert.AreEqual(typeof(Microsoft.ML.Transforms.Image.ImageResizingEstimator).Assembly.GetReferencedAssemblies().Single(a => a.Name == "SkiaSharp").Version.Major,
            typeof(SkiaSharp.SKBitmap).Assembly.GetName().Version.Major, "the plots run on the SkiaSharp the stack's ImageAnalytics was built for");
        string root = Fixture.TempDirectory();
        var digits = MLNet.ConvNet.SampleImages.GeneratedDigits.Generate(40, seed: 2);
        MnistPngExporter.Export(digits, root, "test");
        var ml = new MLContext(1);
        var images = ImageFolder.Load(ml, root);
        var features = ml.Transforms.ConvNetImageFeatures().Fit(images).Transform(images);
        var paths = features.GetColumn<string>("ImagePath").ToList();
        var pixels = features.GetColumn<float[]>("Features").ToList();
        Assert.AreEqual(40, pixels.Count);
        for (int row = 0; row < 40; row++)
        {
            // The exporter names each file after its row in the split.
            int index = int.Parse(new string(Path.GetFileNameWithoutExtension(paths[row]).Where(char.IsDigit).ToArray()));
            var expected = digits.Images.Pixels.AsSpan(index * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray();
            CollectionAssert.AreEqual(expected, pixels[row], $"{paths[row]}");
        }
        Directory.Delete(root, recursive: true);
    }
}
