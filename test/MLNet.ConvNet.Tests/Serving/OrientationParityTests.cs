using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Tests.Data;
using SkiaSharp;

namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// A phone photo's EXIF orientation gives the same upright pixels through the library (training, scoring,
/// ForInMemoryImages and the serving API's .zip engine all decode with ImageBytes' code) and through the ONNX
/// serving sample's own decoder, which the serving API's .onnx engine uses.
/// </summary>
[TestClass]
public sealed class OrientationParityTests
{
    public static IEnumerable<object[]> Orientations => Enumerable.Range(1, 8).Select(k => new object[] { k });

    [TestMethod]
    [DynamicData(nameof(Orientations))]
    public void TheOnnxSample_TurnsAPhotoUpright_ExactlyAsTheLibraryDoes(int orientation)
    {
        byte[] jpeg = TestImages.Jpeg(Square(), orientation);
        var ml = new MLContext(seed: 1);
        using var image = ImageBytes.Decode(jpeg);
        var view = ml.Data.LoadFromEnumerable(new[] { new Row { Image = image } });
        var library = ml.Transforms.ConvNetImagePixels(new ImageShape(3, 32, 32), "Image").Fit(view).Transform(view)
            .GetColumn<float[]>("Features").Single();
        float[] sample = OnnxServing.Images.Read(jpeg, (3, 32, 32), invert: false);
        CollectionAssert.AreEqual(library, sample, $"orientation {orientation}");

    }

    [TestMethod]
    [DynamicData(nameof(Orientations))]
    public void TheOnnxSample_DecodesALargePhotoAtTheLibrarysReducedScale(int orientation)
    {
        using var bitmap = TestImages.Photo(640, 480);
        byte[] jpeg = TestImages.Jpeg(bitmap, orientation);
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(3, 32, 32);
        // The settings a model for 32x32 images decodes its requests with: 1/8 scale, 80x60.
        var decoding = ImageDecoding.Default.For(shape.Width, shape.Height);
        using var image = ImageBytes.Decode(jpeg, decoding);
        Assert.AreEqual(orientation >= 5 ? (60, 80) : (80, 60), (image.Width, image.Height));
        var view = ml.Data.LoadFromEnumerable(new[] { new Row { Image = image } });
        var library = ml.Transforms.ConvNetImagePixels(shape, "Image").Fit(view).Transform(view)
            .GetColumn<float[]>("Features").Single();
        float[] sample = OnnxServing.Images.Read(jpeg, (3, 32, 32), invert: false);
        CollectionAssert.AreEqual(library, sample, $"orientation {orientation}");
    }

    /// <summary>32 x 32 stored pixels: four 16 x 16 blocks, red and green over blue and yellow (every orientation tells them apart).</summary>
    private static SKBitmap Square()
    {
        SKColor[] colours = [new(230, 30, 30), new(30, 200, 30), new(30, 30, 230), new(230, 230, 30)];
        var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Bgra8888, SKAlphaType.Premul));
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
                bitmap.SetPixel(x, y, colours[y / 16 * 2 + x / 16]);
        return bitmap;
    }

    private sealed class Row
    {
        [ImageType(32, 32)]
        public MLImage Image { get; set; }
    }
}
