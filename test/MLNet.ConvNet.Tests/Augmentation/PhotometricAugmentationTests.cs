using Microsoft.ML;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Augmentation;

/// <summary>
/// ColorJitter and RandomResizedCrop do what torchvision's do: brightness scales, contrast and saturation pull towards
/// the gray by the drawn factor, and a crop samples its box stretched to the image's size.
/// </summary>
[TestClass]
public sealed class PhotometricAugmentationTests
{
    private static torch.Tensor MidRange(int channels)
    {
        torch.manual_seed(1);
        return torch.rand(4, channels, 6, 6).mul(0.4).add(0.3);   // in [0.3, 0.7]: no clipping
    }

    [TestMethod]
    public void Brightness_ScalesEachImageByItsDrawnFactor_ClippedToOne()
    {
        var images = torch.rand(4, 3, 6, 6);
        var result = new ColorJitter { Brightness = 0.5 }.Apply(images, new Random(5));
        var draws = new Random(5);
        for (int i = 0; i < 4; i++)
        {
            float b = (float)(0.5 + draws.NextDouble());
            Assert.IsTrue(result[i].allclose(images[i].mul(b).clamp(0, 1), atol: 1e-6), $"image {i}: factor {b}");
        }
    }

    [TestMethod]
    public void Contrast_KeepsTheMeanGray_AndScalesTheDeviationsFromIt()
    {
        var images = MidRange(3);
        var result = new ColorJitter { Contrast = 0.3 }.Apply(images, new Random(6));
        var draws = new Random(6);
        for (int i = 0; i < 4; i++)
        {
            float c = (float)(0.7 + 0.6 * draws.NextDouble());
            var x = images[i];
            var gray = x[0].mul(0.299).add(x[1].mul(0.587)).add(x[2].mul(0.114));
            var mean = gray.mean();
            Assert.IsTrue(result[i].sub(mean).allclose(x.sub(mean).mul(c), atol: 1e-5), $"image {i}: factor {c}");
        }
    }

    [TestMethod]
    public void Saturation_PullsEachPixelTowardsItsGray_AndLeavesGrayImagesAlone()
    {
        var images = MidRange(3);
        var result = new ColorJitter { Saturation = 0.4 }.Apply(images, new Random(7));
        var draws = new Random(7);
        for (int i = 0; i < 4; i++)
        {
            float s = (float)(0.6 + 0.8 * draws.NextDouble());
            var x = images[i];
            var gray = x[0].mul(0.299).add(x[1].mul(0.587)).add(x[2].mul(0.114));
            Assert.IsTrue(result[i].sub(gray).allclose(x.sub(gray).mul(s), atol: 1e-5), $"image {i}: factor {s}");
        }
        var grayImages = MidRange(1);
        Assert.IsTrue(new ColorJitter { Saturation = 0.4 }.Apply(grayImages, new Random(7)).allclose(grayImages, rtol: 0, atol: 0), "gray images have no saturation");
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColorJitter { Brightness = 1 });
    }

    [TestMethod]
    public void ABox_CoversItsShareOfTheArea_AtItsRatio_InsideTheImage_OrTheWholeImageAfterTenMisses()
    {
        var crop = new RandomResizedCrop();
        var random = new Random(3);
        for (int k = 0; k < 2000; k++)
        {
            var (top, left, h, w) = crop.Box(random, 64, 48);
            Assert.IsTrue(top >= 0 && left >= 0 && top + h <= 64 && left + w <= 48);
            double share = h * w / (64.0 * 48);
            Assert.IsTrue(share is > 0.06 and < 1.06, $"share {share}");
            if ((h, w) != (64, 48))
                Assert.IsTrue(w / (double)h is > 0.70 and < 1.43, $"ratio {w}/{h}");
        }
        // A ratio the square cannot hold at full area: ten misses, then the whole image.
        Assert.AreEqual((0, 0, 32, 32), new RandomResizedCrop { MinScale = 1, MinRatio = 2, MaxRatio = 3 }.Box(new Random(1), 32, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNetTrainer.Options { RandomResizedCrop = new RandomResizedCrop { MinScale = 0.5, MaxScale = 0.2 } }.Resolve(1));
    }

    [TestMethod]
    public void TheCrop_SamplesItsBoxStretchedToTheImage()
    {
        // Each pixel holds its column: bilinear sampling of that ramp gives back the column it samples, exactly.
        var ramp = torch.arange(16, dtype: torch.float32).reshape(1, 1, 1, 16).expand(3, 1, 16, 16).contiguous();
        var crop = new RandomResizedCrop { MinScale = 0.2, MaxScale = 0.6 };
        var result = crop.Apply(ramp, new Random(9)).data<float>().ToArray();
        var boxes = new Random(9);
        for (int i = 0; i < 3; i++)
        {
            var (_, left, _, w) = crop.Box(boxes, 16, 16);
            for (int j = 0; j < 16; j++)
            {
                double x = Math.Clamp(left + (j + 0.5) * w / 16.0 - 0.5, 0, 15);
                Assert.AreEqual(x, result[i * 256 + 5 * 16 + j], 1e-4, $"image {i}, column {j} of the box at {left}, width {w}");
            }
        }
        var whole = new RandomResizedCrop { MinScale = 1, MinRatio = 1, MaxRatio = 1 }.Apply(ramp, new Random(1));
        Assert.IsTrue(whole.allclose(ramp, atol: 1e-5), "the whole image is the image");
    }

    [TestMethod]
    public void TrainingWithBoth_RecordsThem_AndNoneLeavesTheWeightsAsTheyWere()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Digits(ml, 200);
        ConvNetTransformer Train(RandomResizedCrop crop, ColorJitter jitter) => ml.MulticlassClassification.Trainers.ConvNet(
            new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, Seed = 4, RandomResizedCrop = crop, ColorJitter = jitter }).Fit(data);
        using var plain = Train(null, null);
        using var identity = Train(null, new ColorJitter());
        CollectionAssert.AreEqual(TestData.Weights(plain), TestData.Weights(identity), "a jitter of 0 is none");
        using var both = Train(new RandomResizedCrop { MinScale = 0.5 }, new ColorJitter { Brightness = 0.2, Contrast = 0.2 });
        CollectionAssert.AreNotEqual(TestData.Weights(plain), TestData.Weights(both));
        StringAssert.Contains(both.Model.TrainingSettings, "random resized crop scale [0.5, 1], ratio [0.75, 1.33], colour jitter brightness ±20%, contrast ±20%, ");
        Assert.IsTrue(both.History[0].Augmented);
    }
}
