using MLNet.ConvNet.Data;
using SkiaSharp;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>
/// Every common way an image file is written, made here by ImageMagick from one reference picture, decodes to the pixels
/// ImageMagick itself reads from that file (its independent decoder is the expectation: exactly for lossless files,
/// within a few levels for JPEG and lossy WebP, whose decoders may round differently), with transparency composited
/// onto the background the decoding names. A format SkiaSharp does not decode is refused by name.
/// </summary>
[TestClass]
[TestCategory("Integration")]
public sealed class FormatCorpusTests
{
    // The file's name, ImageMagick's arguments after the reference (or instead of it, with {0} for it), and the largest
    // and mean difference allowed per channel against ImageMagick's own decode.
    public static IEnumerable<object[]> Formats =>
    [
        ["rgb8.png", "-define png:color-type=2 PNG24:{1}", 0, 0.0],
        ["rgb16.png", "-depth 16 PNG48:{1}", 0, 0.0],
        ["palette.png", "PNG8:{1}", 0, 0.0],
        ["gray8.png", "-colorspace Gray -define png:color-type=0 {1}", 0, 0.0],
        // Gray computed in 16 bits is no multiple of 257: 16 bits to 8 may round either way.
        ["gray16.png", "-colorspace Gray -depth 16 -define png:color-type=0 {1}", 1, 0.5],
        ["gray-alpha.png", "-colorspace Gray -alpha set -channel A -fx \"i<24?1:0.5\" +channel -define png:color-type=4 {1}", 1, 0.5],
        ["rgba.png", "-alpha set -channel A -fx \"j<16?1:(i/47)\" +channel -define png:color-type=6 PNG32:{1}", 1, 0.5],
        ["rgba16.png", "-alpha set -channel A -fx \"j<16?1:(i/47)\" +channel -depth 16 PNG64:{1}", 1, 0.5],
        ["interlaced.png", "-interlace PNG {1}", 0, 0.0],
        ["baseline.jpg", "-interlace none -quality 92 {1}", 12, 1.5],
        ["progressive.jpg", "-interlace JPEG -quality 92 {1}", 12, 1.5],
        ["cmyk.jpg", "-colorspace CMYK -quality 92 {1}", 12, 2.0],
        ["gray.jpg", "-colorspace Gray -quality 92 {1}", 12, 1.5],
        ["rgb24.bmp", "BMP3:{1}", 0, 0.0],
        ["rgba32.bmp", "-alpha set -channel A -fx \"j<16?1:0.5\" +channel -define bmp:format=bmp4 BMP:{1}", 1, 0.5],
        ["animated.gif", "-delay 10 {0} -negate -delay 10 -loop 0 {1}", 0, 0.0],
        ["lossless.webp", "-define webp:lossless=true {1}", 0, 0.0],
        ["lossy.webp", "-quality 85 {1}", 16, 2.0],
        ["alpha.webp", "-alpha set -channel A -fx \"j<16?1:(i/47)\" +channel -define webp:lossless=true {1}", 1, 0.5],
    ];

    [TestMethod]
    [DynamicData(nameof(Formats))]
    public void AFormat_DecodesToThePixelsImageMagickReads_OnBlackAndOnWhite(string name, string arguments, int largest, double mean)
    {
        string folder = TestData.TempDirectory();
        try
        {
            string reference = Path.Combine(folder, "reference.png");
            using (var bitmap = Reference())
                File.WriteAllBytes(reference, TestImages.Png(bitmap));
            string file = Path.Combine(folder, name);
            string command = arguments.Contains("{0}") ? string.Format(arguments, reference, file) : $"{reference} {string.Format(arguments, reference, file)}";
            ImageMagick(command);
            byte[] bytes = File.ReadAllBytes(file);
            foreach (var (background, colour) in new[] { (ImageBackground.Black, "black"), (ImageBackground.White, "white") })
            {
                string raw = Path.Combine(folder, $"{name}.{colour}.rgb");
                // The first frame, in sRGB, composited onto the background, 8 bits a channel.
                ImageMagick($"{file}[0] -colorspace sRGB -background {colour} -alpha remove -alpha off -depth 8 rgb:{raw}");
                byte[] expected = File.ReadAllBytes(raw);
                using var image = ImageBytes.Decode(bytes, new ImageDecoding { Background = background });
                Assert.AreEqual((48, 32), (image.Width, image.Height), name);
                byte[] actual = Rgb(image);
                Assert.HasCount(expected.Length, actual);
                int worst = 0;
                long total = 0;
                for (int i = 0; i < actual.Length; i++)
                {
                    int d = Math.Abs(actual[i] - expected[i]);
                    worst = Math.Max(worst, d);
                    total += d;
                }
                double average = total / (double)actual.Length;
                Assert.IsTrue(worst <= largest && average <= mean,
                    $"{name} on {colour}: the pixels differ from ImageMagick's by up to {worst} (mean {average:F2}); allowed {largest} (mean {mean:F2})");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AFormatSkiaSharpDoesNotDecode_IsRefusedSayingSo()
    {
        string folder = TestData.TempDirectory();
        try
        {
            string reference = Path.Combine(folder, "reference.png");
            using (var bitmap = Reference())
                File.WriteAllBytes(reference, TestImages.Png(bitmap));
            string tiff = Path.Combine(folder, "photo.tiff");
            ImageMagick($"{reference} {tiff}");
            var error = Assert.Throws<InvalidDataException>(() => ImageBytes.Decode(File.ReadAllBytes(tiff)));
            StringAssert.Contains(error.Message, "it is not an image SkiaSharp can decode");
            StringAssert.Contains(error.Message, "starting 49492A00", "the first bytes, TIFF's little-endian mark, are named");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>48 x 32: six coloured blocks over a gradient, so that rows, columns and channels are all told apart.</summary>
    private static SKBitmap Reference()
    {
        SKColor[] colours = [new(230, 30, 30), new(30, 200, 30), new(30, 30, 230), new(230, 230, 30), new(30, 220, 220), new(220, 30, 220)];
        var bitmap = new SKBitmap(new SKImageInfo(48, 32, SKColorType.Bgra8888, SKAlphaType.Premul));
        for (int y = 0; y < 32; y++)
        {
            for (int x = 0; x < 48; x++)
            {
                var c = colours[y / 16 * 3 + x / 16];
                // A step of 2 levels a pixel inside each block keeps the palette under 256 colours (for PNG8 and GIF).
                int shade = (x % 16) / 4 * 6 - 9;
                bitmap.SetPixel(x, y, new SKColor((byte)(c.Red + shade), (byte)(c.Green + shade), (byte)(c.Blue + shade)));
            }
        }
        return bitmap;
    }

    private static byte[] Rgb(Microsoft.ML.Data.MLImage image)
    {
        var pixels = image.Pixels;
        var rgb = new byte[image.Width * image.Height * 3];
        for (int i = 0, j = 0; i < pixels.Length; i += 4, j += 3)
        {
            rgb[j] = pixels[i + 2];
            rgb[j + 1] = pixels[i + 1];
            rgb[j + 2] = pixels[i];
        }
        return rgb;
    }

    private static void ImageMagick(string command)
    {
        string convert = File.Exists("/usr/bin/convert") ? "/usr/bin/convert" : "convert";
        (int, string, string) result;
        try
        {
            result = TestData.RunProgram("sh", new Dictionary<string, string>(), "-c", $"{convert} {command}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Inconclusive("These tests write their images with ImageMagick's convert (Debian: imagemagick), which is not installed.");
            return;
        }
        if (result.Item1 == 127)
            Assert.Inconclusive("These tests write their images with ImageMagick's convert (Debian: imagemagick), which is not installed.");
        Assert.AreEqual(0, result.Item1, $"convert {command}: {result.Item3}");
    }
}
