using SkiaSharp;

namespace MLNet.ConvNet.Plots.Tests;

/// <summary>The pictures themselves: sizes, tiles, colours where the data says they must be.</summary>
[TestClass]
public sealed class PlotsTests
{
    private static string _directory;

    [ClassInitialize]
    public static void Create(TestContext _) => _directory = Fixture.TempDirectory();

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_directory, recursive: true);

    private static double Luminance(SKColor c) => 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;

    [TestMethod]
    public void TrainingCurves_DecodeWithTheRequestedSize()
    {
        var picture = ConvNetPlots.TrainingCurves(Fixture.Model.History, Fixture.Model.FinalEpoch, Path.Combine(_directory, "curves.png"), 900, 400);
        using var bitmap = Fixture.Decode(picture.Path);
        Assert.AreEqual((900, 400), (bitmap.Width, bitmap.Height));
        // Both panels drew something: each half holds more than a few non-white pixels.
        foreach (int left in new[] { 0, 450 })
        {
            int ink = 0;
            for (int y = 0; y < 400; y += 2)
                for (int x = left; x < left + 450; x += 2)
                    ink += Luminance(bitmap.GetPixel(x, y)) < 200 ? 1 : 0;
            Assert.IsTrue(ink > 500, $"the panel at x = {left} is nearly empty ({ink} dark samples)");
        }
    }

    [TestMethod]
    public void LearningRateCurve_PutsTheLowestLossAtItsRateOnALogAxis()
    {
        // Rates 1e-6 to 1 over 61 points; the loss falls to its lowest at 1e-2 (two thirds across), then rises.
        var rates = Enumerable.Range(0, 61).Select(i => Math.Pow(10, -6 + i * 0.1)).ToArray();
        var losses = rates.Select(r => 1 + Math.Pow(Math.Log10(r) + 2, 2) / 10).ToArray();
        var finding = new LearningRateFinding(rates, losses, losses, 1e-3, 1e-3, 1e-3, Diverged: false);
        var picture = ConvNetPlots.LearningRateCurve(finding, Path.Combine(_directory, "lr.png"));
        using var bitmap = Fixture.Decode(picture.Path);
        Assert.AreEqual((800, 420), (bitmap.Width, bitmap.Height));
        // The smoothed loss is the blue line: its lowest blue pixel (largest y) is about two thirds across the plot.
        // The legend, with its blue swatch, sits below the plot area: only the top 330 rows are searched.
        int lowestX = -1, lowestY = -1;
        for (int y = 0; y < 330; y++)
            for (int x = 0; x < 800; x++)
            {
                var p = bitmap.GetPixel(x, y);
                if (p.Blue > 150 && p.Red < 80 && p.Green is > 90 and < 150 && y > lowestY)
                    (lowestX, lowestY) = (x, y);
            }
        Assert.IsTrue(lowestX / 800.0 is > 0.55 and < 0.8, $"the lowest point of the blue line is at x = {lowestX}");
    }

    [TestMethod]
    public void TrainingCurves_RefuseAnEmptyHistory()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ConvNetPlots.TrainingCurves([], 0, Path.Combine(_directory, "none.png")));
        StringAssert.StartsWith(error.Message, "The history has no epochs to plot");
        Assert.IsFalse(File.Exists(Path.Combine(_directory, "none.png")));
    }

    [TestMethod]
    public void ConfusionHeatmap_PutsTheDarkestCellWhereTheLargestCountIs()
    {
        double[][] counts =
        [
            [50, 2, 0, 1],
            [3, 40, 1, 0],
            [0, 97, 30, 4],
            [1, 0, 6, 45],
        ];
        var picture = ConvNetPlots.ConfusionHeatmap(counts, ["cat", "dog", "fox", "owl"], Path.Combine(_directory, "confusion.png"), size: 500);
        using var bitmap = Fixture.Decode(picture.Path);
        Assert.AreEqual((500, 500), (bitmap.Width, bitmap.Height));
        Assert.AreEqual(16, picture.Tiles.Count);
        // Sample each cell near its top-left corner, away from the number written in its middle.
        var luminance = picture.Tiles.Select(t => Luminance(bitmap.GetPixel(t.X + t.Width / 6, t.Y + t.Height / 6))).ToArray();
        int darkest = Array.IndexOf(luminance, luminance.Min());
        Assert.AreEqual((2, 1), (darkest / 4, darkest % 4), "row 2 (fox), column 1 (dog) holds 97");
        Assert.AreEqual("97", picture.Tiles[darkest].Caption);
        int lightest = Array.IndexOf(luminance, luminance.Max());
        Assert.AreEqual(0, counts[lightest / 4][lightest % 4], "a zero count is the lightest");
        // Each row's darkness follows its counts.
        for (int r = 0; r < 4; r++)
        {
            var order = Enumerable.Range(0, 4).OrderByDescending(c => counts[r][c]).ToArray();
            Assert.IsTrue(luminance[r * 4 + order[0]] < luminance[r * 4 + order[1]], $"row {r}: the larger count is the darker cell");
        }

        var normalized = ConvNetPlots.ConfusionHeatmap(counts, ["cat", "dog", "fox", "owl"], Path.Combine(_directory, "normalized.png"), normalizeRows: true, size: 500);
        Assert.AreEqual("0.74", normalized.Tiles[2 * 4 + 1].Caption, "97 of 131");
    }

    [TestMethod]
    public void ConfusionHeatmap_RefusesAMatrixThatIsNotSquare()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ConvNetPlots.ConfusionHeatmap([[1.0, 2.0], [3.0]], ["a", "b"], Path.Combine(_directory, "bad.png")));
        StringAssert.StartsWith(error.Message, "Expected a square confusion matrix; got 2 rows");
    }

    [TestMethod]
    [DataRow("LeNot", 6, 5)]
    [DataRow("SimpleConvNet", 16, 3)]
    public void Filters_OneTilePerFilter_EachPixelTheColourOfItsWeight(string architecture, int filters, int kernel)
    {
        var ml = new Microsoft.ML.MLContext(1);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = 1, Seed = 2 })
            .Fit(MLNet.ConvNet.Data.MnistDataset.Load(ml, MLNet.ConvNet.SampleImages.GeneratedDigits.Generate(128)));
        var weights = model.Model.GetWeights().First(w => w.Shape.Count == 4);
        var picture = ConvNetPlots.Filters(weights, Path.Combine(_directory, $"filters-{architecture}.png"), scale: 10);
        using var bitmap = Fixture.Decode(picture.Path);
        Assert.AreEqual((picture.Width, picture.Height), (bitmap.Width, bitmap.Height));
        Assert.AreEqual(filters, picture.Tiles.Count);
        float largest = weights.Values.Max(Math.Abs);
        for (int f = 0; f < filters; f++)
        {
            var tile = picture.Tiles[f];
            Assert.AreEqual((kernel * 10, kernel * 10), (tile.Width, tile.Height));
            Assert.AreEqual($"filter {f}", tile.Caption);
            for (int r = 0; r < kernel; r++)
            {
                for (int c = 0; c < kernel; c++)
                {
                    float w = weights.Values[(f * kernel + r) * kernel + c];
                    var pixel = bitmap.GetPixel(tile.X + c * 10 + 5, tile.Y + r * 10 + 5);
                    // One shared scale: positive weights are red-ish (red above blue), negative blue-ish, the largest at full colour.
                    if (Math.Abs(w) > 0.2 * largest)
                        Assert.AreEqual(w > 0, pixel.Red > pixel.Blue, $"filter {f}, ({r}, {c}): weight {w}, pixel {pixel}");
                    if (Math.Abs(w) == largest)
                        Assert.IsTrue(Luminance(pixel) < 110, $"the largest weight is drawn at full colour, got {pixel}");
                }
            }
        }
    }

    [TestMethod]
    public void ActivationMaps_OneTilePerChannel_OfTheLayersSize()
    {
        var (images, _) = Fixture.TestImages(1);
        var layer = Fixture.Model.Model.GetActivations(images).First(a => a.TypeName == "Conv2D");
        var picture = ConvNetPlots.ActivationMaps(layer, Path.Combine(_directory, "maps.png"), scale: 3);
        using var bitmap = Fixture.Decode(picture.Path);
        Assert.AreEqual((picture.Width, picture.Height), (bitmap.Width, bitmap.Height));
        Assert.AreEqual((int)layer.Shape[1], picture.Tiles.Count);
        Assert.IsTrue(picture.Tiles.All(t => t.Width == layer.Shape[3] * 3 && t.Height == layer.Shape[2] * 3));
        // The brightest value of all the maps is drawn yellow, the colour scale's top.
        int channel = Enumerable.Range(0, (int)layer.Shape[1]).MaxBy(c => layer.Map(0, c).ToArray().Max());
        var map = layer.Map(0, channel).ToArray();
        int at = Array.IndexOf(map, map.Max());
        var tile = picture.Tiles[channel];
        var pixel = bitmap.GetPixel(tile.X + at % (int)layer.Shape[3] * 3 + 1, tile.Y + at / (int)layer.Shape[3] * 3 + 1);
        Assert.AreEqual(new SKColor(253, 231, 37), pixel);
    }

    [TestMethod]
    public void Saliency_ThreeTilesPerImage_CaptionedWithTheTrueAndPredictedClass()
    {
        var (images, labels) = Fixture.TestImages(2);
        var parameters = Fixture.Model.Model;
        var examples = Enumerable.Range(0, 2).Select(i =>
        {
            var image = images[(i * 784)..((i + 1) * 784)];
            return new SaliencyExample(image, parameters.GetSaliency(image, labels[i]), parameters.GetGradCam(image, labels[i]), labels[i].ToString(), labels[i].ToString());
        }).ToList();
        var picture = ConvNetPlots.Saliency(examples, parameters.InputShape, Path.Combine(_directory, "saliency.png"));
        using var bitmap = Fixture.Decode(picture.Path);
        Assert.AreEqual(6, picture.Tiles.Count);
        StringAssert.StartsWith(picture.Tiles[0].Caption, $"true {labels[0]}, predicted {labels[0]}");
        StringAssert.Contains(picture.Tiles[2].Caption, "Grad-CAM on conv2d_1");
    }
}
