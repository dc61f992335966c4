using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.SampleImages;

/// <summary>
/// MNIST-shaped digits drawn from a 5x7 bitmap font: 28x28 bytes, white strokes on black, each digit scaled, slanted,
/// thickened and placed at random, with a little noise inside a black border, as MNIST's. A network learns them about
/// as fast as MNIST in its first epochs, so the tests' fast tier and the samples run on them without the MNIST files
/// (<c>MnistDataset.Load(ml, GeneratedDigits.Generate(1000))</c>). The same seed gives the same images. Not part of
/// the MLNet.ConvNet package.
/// </summary>
public static class GeneratedDigits
{
    private static readonly string[][] Font =
    [
        [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        ["  #  ", " ##  ", "# #  ", "  #  ", "  #  ", "  #  ", "#####"],
        [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
    ];

    /// <summary><paramref name="count"/> digits, the classes in turn, in MNIST's in-memory form.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public static MnistData Generate(int count, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        const int side = 28;
        var random = new Random(seed);
        var pixels = new byte[count * side * side];
        var labels = new byte[count];
        var canvas = new float[side * side];
        for (int i = 0; i < count; i++)
        {
            int digit = i % 10;
            labels[i] = (byte)digit;
            Array.Clear(canvas);
            double scale = 2.4 + random.NextDouble() * 0.8;       // 12-16 pixels wide, 17-22 high
            double slant = (random.NextDouble() - 0.5) * 0.5;     // shear, as handwriting leans
            double thickness = 0.9 + random.NextDouble() * 0.9;   // stroke width in font cells' pixels
            double x0 = (side - 5 * scale) / 2 + (random.NextDouble() - 0.5) * 4;
            double y0 = (side - 7 * scale) / 2 + (random.NextDouble() - 0.5) * 4;
            float ink = (float)(0.75 + random.NextDouble() * 0.25);
            for (int y = 0; y < side; y++)
            {
                for (int x = 0; x < side; x++)
                {
                    // The point in font coordinates, with the slant undone about the glyph's middle row.
                    double fy = (y + 0.5 - y0) / scale;
                    double fx = (x + 0.5 - x0 - slant * (fy - 3.5) * scale) / scale;
                    if (Covered(Font[digit], fx, fy, thickness / scale))
                        canvas[y * side + x] = ink;
                }
            }
            for (int p = 0; p < canvas.Length; p++)
            {
                bool inside = p / side is >= 2 and < side - 2 && p % side is >= 2 and < side - 2; // like MNIST, the border stays black
                float value = canvas[p] + (inside && random.NextDouble() < 0.02 ? (float)(random.NextDouble() * 0.3) : 0);
                pixels[i * side * side + p] = (byte)Math.Clamp(MathF.Round(value * 255), 0, 255);
            }
        }
        return new MnistData(new IdxImages(count, side, side, pixels), labels);
    }

    /// <summary>Whether a font cell is lit within <paramref name="reach"/> cells of (fx, fy).</summary>
    private static bool Covered(string[] glyph, double fx, double fy, double reach)
    {
        for (int row = 0; row < 7; row++)
        {
            for (int column = 0; column < 5; column++)
            {
                if (glyph[row][column] != '#')
                    continue;
                double dx = Math.Max(Math.Max(column - fx, fx - (column + 1)), 0);
                double dy = Math.Max(Math.Max(row - fy, fy - (row + 1)), 0);
                if (dx * dx + dy * dy <= reach * reach * 0.25)
                    return true;
            }
        }
        return false;
    }
}
