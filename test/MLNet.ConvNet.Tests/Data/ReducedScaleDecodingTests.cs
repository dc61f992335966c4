using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>
/// A large JPEG decodes directly at the smallest of 1/8, 1/4 and 1/2 of its size that still covers the network's
/// input, the same way in training, in scoring from bytes with the model's settings, and (OrientationParityTests) in
/// the ONNX serving sample.
/// </summary>
[TestClass]
public sealed class ReducedScaleDecodingTests
{
    private static readonly Lazy<byte[]> Photo = new(() =>
    {
        using var bitmap = TestImages.Photo(1024, 768);
        return TestImages.Jpeg(bitmap, 0);
    });

    public static IEnumerable<object[]> Sizes =>
    [
        // The input (width, height), the EXIF orientation, the decoded size (upright).
        [64, 64, 0, 128, 96],     // 1/8: 128x96 covers 64x64
        [100, 96, 0, 128, 96],    // 1/8 exactly covers the height
        [224, 224, 0, 512, 384],  // 1/4 gives 256x192, short of 224 high: 1/2
        [100, 200, 6, 192, 256],  // turned upright (768x1024), 1/8 is 96x128, short of 200 high: 1/4
        [600, 400, 0, 1024, 768], // no reduced size covers 600x400: whole
    ];

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void ALargeJpeg_DecodesAtTheSmallestReducedScale_ThatCoversTheInput(int width, int height, int orientation, int decodedWidth, int decodedHeight)
    {
        using var bitmap = TestImages.Photo(1024, 768);
        byte[] jpeg = TestImages.Jpeg(bitmap, orientation);
        var decoding = DecodingOfAModelFor(width, height);
        using var image = ImageBytes.Decode(jpeg, decoding);
        Assert.AreEqual((decodedWidth, decodedHeight), (image.Width, image.Height));
    }

    [TestMethod]
    public void ReducedScaleOff_OrAnImageThatCannotScale_OrNoInputSize_DecodesWhole()
    {
        var off = DecodingOfAModelFor(64, 64, new ImageDecoding { ReducedScale = false });
        Assert.IsFalse(off.ReducedScale);
        using (var whole = ImageBytes.Decode(Photo.Value, off))
            Assert.AreEqual((1024, 768), (whole.Width, whole.Height));
        // ImageBytes.Decode on its own knows no input size.
        using (var alone = ImageBytes.Decode(Photo.Value))
            Assert.AreEqual((1024, 768), (alone.Width, alone.Height));
        // PNG has no reduced decode.
        using var bitmap = TestImages.Photo(1024, 768);
        using (var png = ImageBytes.Decode(TestImages.Png(bitmap), DecodingOfAModelFor(64, 64)))
            Assert.AreEqual((1024, 768), (png.Width, png.Height));
    }

    [TestMethod]
    public void TrainingFromFiles_AndScoringBytesWithTheModelsSettings_SeeTheSamePixels_CloseToAWholeDecode()
    {
        string folder = TestData.TempDirectory();
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "photo.jpg"), Photo.Value);
            var ml = new MLContext(seed: 1);
            var shape = new ImageShape(3, 64, 64);
            var data = ml.Data.LoadFromEnumerable(new[] { new ImageFolder.LabelledImage { Label = "a", ImagePath = "photo.jpg" } });
            var reduced = ml.Transforms.ConvNetImageFeatures(shape, imageFolder: folder).Fit(data);
            var whole = ml.Transforms.ConvNetImageFeatures(shape, imageFolder: folder, decoding: new ImageDecoding { ReducedScale = false }).Fit(data);
            float[] fromFile = reduced.Transform(data).GetColumn<float[]>("Features").Single();
            float[] fromWhole = whole.Transform(data).GetColumn<float[]>("Features").Single();

            using var image = ImageBytes.Decode(Photo.Value, reduced.ImageDecodingOf());
            var view = ml.Data.LoadFromEnumerable(new[] { new Row { Image = image } });
            float[] fromBytes = ml.Transforms.ConvNetImagePixels(shape, "Image").Fit(view).Transform(view).GetColumn<float[]>("Features").Single();

            CollectionAssert.AreEqual(fromFile, fromBytes, "training's file and a request's bytes give the same pixels");
            CollectionAssert.AreNotEqual(fromFile, fromWhole, "the reduced decode is a different (smoothed) sampling");
            double meanDifference = fromFile.Zip(fromWhole, (a, b) => Math.Abs(a - b)).Average();
            Assert.IsLessThan(0.02, meanDifference, "but the same picture");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AModelKeepsItsReducedScaleAndInputSize_ThroughSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageFolder.LabelledImage { Label = "a", ImagePath = "x.png" } });
        string path = Path.Combine(TestData.TempDirectory(), "reduced.zip");
        foreach (var decoding in new[] { ImageDecoding.Default, new ImageDecoding { ReducedScale = false } })
        {
            var model = ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 40, 30), decoding: decoding).Fit(data);
            ml.Model.Save(model, data.Schema, path);
            var loaded = ml.Model.Load(path, out _).ImageDecodingOf();
            Assert.AreEqual(model.ImageDecodingOf(), loaded);
            Assert.AreEqual(decoding.ReducedScale, loaded.ReducedScale);
            Assert.AreEqual(decoding.ReducedScale ? (30, 40) : null, loaded.AtLeast, "width 30, height 40, when it reduces");
        }
        File.Delete(path);
    }

    /// <summary>The decoding a fitted ConvNetImageFeatures for width x height images has.</summary>
    private static ImageDecoding DecodingOfAModelFor(int width, int height, ImageDecoding decoding = null)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageFolder.LabelledImage { Label = "a", ImagePath = "x.jpg" } });
        return ml.Transforms.ConvNetImageFeatures(new ImageShape(3, height, width), decoding: decoding).Fit(data).ImageDecodingOf();
    }

    private sealed class Row
    {
        [ImageType(64, 64)]
        public MLImage Image { get; set; }
    }
}
