using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;
using SkiaSharp;

namespace MLNet.ConvNet.Tests.Data;

[TestClass]
public sealed class ImageDecodingTests
{
    private static readonly Lazy<byte[]> Bomb = new(() => ServingFuzz.Bombs.Png(20_000, 20_000));

    [TestMethod]
    public void ADecompressionBomb_IsRefusedFromItsHeader_NamingBothSizes_WithoutAllocatingItsPixels()
    {
        byte[] bomb = Bomb.Value;
        Assert.IsLessThan(2_000_000, bomb.Length, "the bomb is a small file");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => ImageBytes.Decode(bomb));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsInstanceOfType<ImageTooLargeException>(error.InnerException);
        StringAssert.Contains(error.Message, "declares 20,000x20,000 pixels (400.0 megapixels)");
        StringAssert.Contains(error.Message, "16,384 pixels a side and 64.0 megapixels");
        Assert.IsLessThan(16L << 20, allocated, $"refusing it allocated {allocated:N0} bytes; decoding it would take 1.6 GB");
    }

    [TestMethod]
    public void AnAcceptedImage_IsDecodedWithASmallMultipleOfItsDecodedSize()
    {
        // Turned upright (a second buffer) and on white (in place): the worst case of the decoding steps.
        using var bitmap = TestImages.Photo(1000, 800);
        byte[] jpeg = TestImages.Jpeg(bitmap, orientation: 6);
        var decoding = new ImageDecoding { Background = ImageBackground.White };
        using (ImageBytes.Decode(jpeg, decoding)) { }   // the code paths warmed up
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var image = ImageBytes.Decode(jpeg, decoding);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long decoded = 1000L * 800 * 4;
        Assert.AreEqual((800, 1000), (image.Width, image.Height));
        Assert.IsLessThan(3 * decoded, allocated, $"decoding a {decoded:N0}-byte image allocated {allocated:N0} managed bytes");
    }

    [TestMethod]
    public void AGifThatDeclaresAHugeScreen_IsRefusedAsTooLarge()
    {
        var error = Assert.Throws<InvalidDataException>(() => ImageBytes.Decode(ServingFuzz.Bombs.Gif(60_000, 60_000)));
        Assert.IsInstanceOfType<ImageTooLargeException>(error.InnerException, error.Message);
        StringAssert.Contains(error.Message, "60,000x60,000");
    }

    [TestMethod]
    public void TheLimitsAreOptions_AndOutOfRangeOnesAreRefused()
    {
        byte[] png = TestImages.Png(Blocks());   // 48 x 32
        using (ImageBytes.Decode(png)) { }
        var error = Assert.Throws<InvalidDataException>(() => ImageBytes.Decode(png, new ImageDecoding { MaxSide = 40 }));
        StringAssert.Contains(error.Message, "declares 48x32 pixels");
        Assert.Throws<InvalidDataException>(() => ImageBytes.Decode(png, new ImageDecoding { MaxPixels = 48 * 32 - 1 }));
        using (ImageBytes.Decode(png, new ImageDecoding { MaxSide = 48, MaxPixels = 48 * 32 })) { }
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDecoding { MaxSide = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDecoding { MaxPixels = -1 });
    }

    [TestMethod]
    public void ABombInAFolder_IsRefusedByNameInTraining_AndLeftOutBySkipUnreadable()
    {
        string root = TestData.TempDirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "a"));
            Directory.CreateDirectory(Path.Combine(root, "b"));
            File.WriteAllBytes(Path.Combine(root, "a", "fine.png"), TestImages.Png(Blocks()));
            File.WriteAllBytes(Path.Combine(root, "b", "fine.png"), TestImages.Png(Blocks()));
            string bomb = Path.Combine(root, "b", "bomb.png");
            File.WriteAllBytes(bomb, Bomb.Value);
            var ml = new MLContext(seed: 1);
            var features = ml.Transforms.ConvNetImageFeatures(new ImageShape(3, 16, 16));
            var all = ImageFolder.Load(ml, root);
            var error = Assert.Throws<Exception>(() => features.Fit(all).Transform(all).GetColumn<float[]>("Features").ToList());
            // ML.NET's cursors wrap it (once or twice, depending on its threads): the refusal is at the bottom.
            while (error.InnerException is not null)
                error = error.InnerException;
            Assert.IsInstanceOfType<ImageTooLargeException>(error);
            StringAssert.Contains(error.Message, "declares 20,000x20,000 pixels");
            var refusal = Assert.Throws<Exception>(() => features.Fit(all).Transform(all).Preview(maxRows: 3));
            StringAssert.Contains(Messages(refusal), bomb);
            var usable = ImageFolder.Load(ml, root, skipUnreadable: true);
            Assert.AreEqual(2, usable.GetColumn<string>("ImagePath").Count());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Stored 3 blocks wide and 2 high (a b c / d e f): where each block must be seen under each EXIF orientation.
    public static IEnumerable<object[]> Orientations =>
    [
        [1, 3, "abc/def"], [2, 3, "cba/fed"], [3, 3, "fed/cba"], [4, 3, "def/abc"],
        [5, 2, "ad/be/cf"], [6, 2, "da/eb/fc"], [7, 2, "fc/eb/da"], [8, 2, "cf/be/ad"],
    ];

    [TestMethod]
    [DynamicData(nameof(Orientations))]
    public void APhotoWithAnExifOrientation_IsDecodedUpright_OrAsStoredWhenAsked(int orientation, int blocksWide, string expected)
    {
        byte[] jpeg = TestImages.Jpeg(Blocks(), orientation);
        using (var upright = ImageBytes.Decode(jpeg))
            Assert.AreEqual(expected, Read(upright, blocksWide), $"orientation {orientation}");
        using var stored = ImageBytes.Decode(jpeg, new ImageDecoding { ApplyOrientation = false });
        Assert.AreEqual("abc/def", Read(stored, 3), "with ApplyOrientation off, the pixels stay as stored");
    }

    [TestMethod]
    public void TransparentPixels_AreCompositedOntoTheBackground_BlackByDefault()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Bgra8888, SKAlphaType.Unpremul));
        bitmap.SetPixel(0, 0, new SKColor(200, 100, 0, 0));     // fully transparent
        bitmap.SetPixel(1, 0, new SKColor(200, 100, 0, 128));   // half
        byte[] png = TestImages.Png(bitmap);
        using var black = ImageBytes.Decode(png);
        using var white = ImageBytes.Decode(png, new ImageDecoding { Background = ImageBackground.White });
        using var grey = ImageBytes.Decode(png, new ImageDecoding { Background = new ImageBackground(100, 100, 100) });
        // Blue, green, red of each pixel.
        CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0, 50, 100 }, Bgr(black));
        CollectionAssert.AreEqual(new byte[] { 255, 255, 255, 127, 177, 227 }, Bgr(white));
        CollectionAssert.AreEqual(new byte[] { 100, 100, 100, 50, 100, 150 }, Bgr(grey));
    }

    [TestMethod]
    public void AModelKeepsItsDecoding_ThroughSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var decoding = new ImageDecoding { MaxSide = 4_000, MaxPixels = 8_000_000, ApplyOrientation = false, Background = ImageBackground.White };
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageFolder.LabelledImage { Label = "a", ImagePath = "x.png" } });
        var model = ml.Transforms.ConvNetImageFeatures(new ImageShape(1, 8, 8), decoding: decoding).Fit(data);
        // With the network's input size, which a reduced-scale decode must cover.
        Assert.AreEqual(decoding.For(8, 8), model.ImageDecodingOf());
        string path = Path.Combine(TestData.TempDirectory(), "decoding.zip");
        ml.Model.Save(model, data.Schema, path);
        Assert.AreEqual(decoding.For(8, 8), ml.Model.Load(path, out _).ImageDecodingOf());
        Assert.AreEqual(ImageDecoding.Default.For(28, 28), ml.Transforms.ConvNetImageFeatures().Fit(data).ImageDecodingOf());
        File.Delete(path);
    }

    /// <summary>48 x 32 pixels: six 16 x 16 blocks of distinct colours, a b c over d e f.</summary>
    private static SKBitmap Blocks()
    {
        var bitmap = new SKBitmap(new SKImageInfo(48, 32, SKColorType.Bgra8888, SKAlphaType.Premul));
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 48; x++)
                bitmap.SetPixel(x, y, Colours[y / 16 * 3 + x / 16]);
        return bitmap;
    }

    private static readonly SKColor[] Colours =
        [new(230, 30, 30), new(30, 200, 30), new(30, 30, 230), new(230, 230, 30), new(30, 220, 220), new(220, 30, 220)];

    /// <summary>The blocks of a decoded image by their centres' colours, as letters, rows split by '/'.</summary>
    private static string Read(MLImage image, int blocksWide)
    {
        int blocksHigh = 6 / blocksWide;
        Assert.AreEqual((blocksWide * 16, blocksHigh * 16), (image.Width, image.Height));
        var pixels = image.Pixels.ToArray();
        var rows = new List<string>();
        for (int by = 0; by < blocksHigh; by++)
        {
            var row = "";
            for (int bx = 0; bx < blocksWide; bx++)
            {
                int at = ((by * 16 + 8) * image.Width + bx * 16 + 8) * 4;
                var nearest = Enumerable.Range(0, 6).MinBy(k =>
                    Math.Abs(Colours[k].Blue - pixels[at]) + Math.Abs(Colours[k].Green - pixels[at + 1]) + Math.Abs(Colours[k].Red - pixels[at + 2]));
                row += (char)('a' + nearest);
            }
            rows.Add(row);
        }
        return string.Join('/', rows);
    }

    private static string Messages(Exception e) => e is null ? "" : e.Message + " " + Messages(e.InnerException);

    private static byte[] Bgr(MLImage image)
        => Enumerable.Range(0, image.Width * image.Height).SelectMany(i => image.Pixels.Slice(i * 4, 3).ToArray()).ToArray();
}
