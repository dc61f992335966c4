using Microsoft.ML;
using MLNet.ConvNet.SampleImages;

namespace MLNet.ConvNet.Tests.Augmentation;

/// <summary>
/// ImageAugmentation.Automatic, the recipes' default: colour images get the photo augmentation (with a mirror), gray
/// ones, in one channel or three equal ones, the digits' (without), decided from the first images at Fit.
/// </summary>
[TestClass]
public sealed class AutomaticAugmentationTests
{
    private static readonly ImageShape Shape = new(3, 20, 20);

    /// <summary>ColouredShapes' images, in colour or made gray (each pixel's mean in all three channels), with a text label.</summary>
    private static IDataView Shapes(MLContext ml, int count, bool gray)
    {
        var images = ColouredShapes.Generate(count, Shape, seed: 2);
        if (gray)
        {
            int plane = Shape.Height * Shape.Width;
            foreach (var image in images)
            {
                for (int i = 0; i < plane; i++)
                {
                    float mean = (image.Features[i] + image.Features[plane + i] + image.Features[2 * plane + i]) / 3;
                    image.Features[i] = image.Features[plane + i] = image.Features[2 * plane + i] = mean;
                }
            }
        }
        var data = ColouredShapes.Load(ml, images, Shape);
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    private static ConvNetTransformer Fit(MLContext ml, IDataView data, ImageAugmentation augmentation, List<string> log = null)
    {
        if (log is not null)
            ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var options = new ConvNetTrainer.Options { Architecture = "SimpleConvNet", Epochs = 1, Seed = 3, Augmentation = augmentation };
        return ml.MulticlassClassification.Trainers.ConvNet(options).Fit(data);
    }

    [TestMethod]
    public void ColourImages_AreColour_GrayOnesInOneOrThreeEqualChannels_AndWithJpegNoise_AreNot()
    {
        var colour = ColouredShapes.Generate(4, Shape, seed: 1).SelectMany(i => i.Features).ToArray();
        Assert.IsTrue(ImageAugmentation.IsColour(colour, Shape));
        int plane = Shape.Height * Shape.Width;
        var gray = new float[colour.Length];
        var random = new Random(1);
        for (int n = 0; n < 4; n++)
        {
            for (int i = 0; i < plane; i++)
            {
                float value = (float)random.NextDouble();
                for (int c = 0; c < 3; c++)
                    gray[n * Shape.Size + c * plane + i] = value;
            }
        }
        Assert.IsFalse(ImageAugmentation.IsColour(gray, Shape), "three equal channels are gray");
        // A gray JPEG decoded as RGB: each channel off by up to 1/255 at random.
        var noisy = gray.Select(v => Math.Clamp(v + (float)(random.Next(-1, 2) / 255.0), 0, 1)).ToArray();
        Assert.IsFalse(ImageAugmentation.IsColour(noisy, Shape), "codec noise is not colour");
        Assert.IsFalse(ImageAugmentation.IsColour(colour.AsSpan(0, 2 * plane), new ImageShape(1, 20, 20)), "one channel is gray");
        Assert.IsFalse(ImageAugmentation.IsColour(new float[Shape.Size], Shape), "a black image is not colour");
        // In [0, 255] as in [0, 1]: the threshold follows the values' range.
        Assert.IsTrue(ImageAugmentation.IsColour(colour.Select(v => v * 255).ToArray(), Shape));
        Assert.IsFalse(ImageAugmentation.IsColour(noisy.Select(v => v * 255).ToArray(), Shape));
    }

    [TestMethod]
    public void Automatic_IsNoIdentity_ChecksClean_AndSaysWhatItIs()
    {
        var automatic = ImageAugmentation.Automatic;
        Assert.IsTrue(automatic.IsAutomatic);
        Assert.IsFalse(automatic.IsIdentity, "Automatic must survive the options' 'identity is none'");
        Assert.AreEqual("automatic (chosen from the images)", automatic.ToString());
        Assert.AreEqual(ImageAugmentation.Digits with { HorizontalFlip = true }, ImageAugmentation.Photos);
        Assert.IsFalse(ImageAugmentation.Photos.IsAutomatic);
        Assert.AreEqual(ImageAugmentation.Automatic, new ConvNetTrainer.Options { Augmentation = automatic }.Resolve(1).Augmentation);
        // The public Apply chooses from the images it is given, as Fit would.
        var colour = ColouredShapes.Generate(3, Shape, seed: 4).SelectMany(i => i.Features).ToArray();
        CollectionAssert.AreEqual(ImageAugmentation.Photos.Apply(colour, Shape, seed: 7), automatic.Apply(colour, Shape, seed: 7));
        CollectionAssert.AreNotEqual(ImageAugmentation.Digits.Apply(colour, Shape, seed: 7), automatic.Apply(colour, Shape, seed: 7));
    }

    [TestMethod]
    public void Fit_ChoosesPhotosForColourImages_AndDigitsForGrayOnes_RecordsTheChoice_AndTrainsAsTheChoiceWould()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        using var colour = Fit(ml, Shapes(ml, 60, gray: false), ImageAugmentation.Automatic, log);
        Assert.AreEqual(ImageAugmentation.Photos, colour.Model.Augmentation);
        Assert.IsTrue(log.Any(m => m.Contains("Augmentation chosen from the first 60 training images, which are in colour: rotation ±10°, shift ±10% x ±10%, zoom ±10%, horizontal flip (ImageAugmentation.Photos).")),
            string.Join("\n", log.Where(m => m.Contains("ugmentation"))));
        using var photos = Fit(new MLContext(seed: 1), Shapes(ml, 60, gray: false), ImageAugmentation.Photos);
        CollectionAssert.AreEqual(TestData.Weights(photos), TestData.Weights(colour), "Automatic trains as the augmentation it chose");

        using var gray = Fit(ml, Shapes(ml, 60, gray: true), ImageAugmentation.Automatic);
        Assert.AreEqual(ImageAugmentation.Digits, gray.Model.Augmentation, "gray images are not mirrored");
        StringAssert.Contains(gray.Model.TrainingSettings, "augmentation rotation ±10°, shift ±10% x ±10%, zoom ±10%,");

        using var digits = Fit(ml, TestData.Digits(ml, 40), ImageAugmentation.Automatic);
        Assert.AreEqual(ImageAugmentation.Digits, digits.Model.Augmentation, "one channel is gray");
    }

    [TestMethod]
    public void TheRecipes_ChooseFromTheImages()
    {
        Assert.AreEqual(ImageAugmentation.Automatic, ConvNetTrainer.Options.AugmentedRecipe().Augmentation);
        Assert.AreEqual(ImageAugmentation.Automatic, ConvNetTrainer.Options.FineTuningRecipe().Augmentation);
    }

    [TestMethod]
    public void TheRecipes_RunTheirOneCycleToTheEnd_EvenWithValidationData()
    {
        foreach (var recipe in new[] { ConvNetTrainer.Options.AugmentedRecipe(), ConvNetTrainer.Options.FineTuningRecipe("TinyNet") })
        {
            recipe.ValidationFraction = 0.1;
            Assert.IsNull(recipe.Resolve(1).EarlyStopping, "no early stopping inside a one-cycle schedule");
            recipe.EarlyStopping = null;
            Assert.IsNotNull(recipe.Resolve(1).EarlyStopping, "the plain default with validation data: on");
        }
    }
}
