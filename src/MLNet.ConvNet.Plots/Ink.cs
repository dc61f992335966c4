using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>Text and lines on a SkiaSharp canvas, in the SkiaSharp 2.88 API the core library names.</summary>
internal static class Ink
{
    public static readonly SKColor Text = new(32, 32, 32);
    public static readonly SKColor Grid = new(228, 228, 228);
    public static readonly SKColor Axis = new(90, 90, 90);

    // One of each for the process: SKPaint does not own its typeface, so a typeface per call would never be freed.
    private static readonly SKTypeface Regular = SKTypeface.Default;
    private static readonly SKTypeface Bold = SKTypeface.FromFamilyName(null, SKFontStyle.Bold) ?? SKTypeface.Default;

    public static SKPaint Font(float size, SKColor? color = null, SKTextAlign align = SKTextAlign.Left, bool bold = false) => new()
    {
        Color = color ?? Text,
        TextSize = size,
        IsAntialias = true,
        TextAlign = align,
        Typeface = bold ? Bold : Regular,
    };

    public static void Write(SKCanvas canvas, string text, float x, float y, float size, SKTextAlign align = SKTextAlign.Left, SKColor? color = null, bool bold = false)
    {
        using var paint = Font(size, color, align, bold);
        canvas.DrawText(text, x, y, paint);
    }

    /// <summary>Text turned a quarter counter-clockwise, centred on (x, y): a vertical axis's label.</summary>
    public static void WriteVertical(SKCanvas canvas, string text, float x, float y, float size)
    {
        canvas.Save();
        canvas.RotateDegrees(-90, x, y);
        Write(canvas, text, x, y, size, SKTextAlign.Center);
        canvas.Restore();
    }

    public static float Width(string text, float size)
    {
        using var paint = Font(size);
        return paint.MeasureText(text);
    }

    public static SKPaint Line(SKColor color, float width = 1, bool dashed = false, bool dotted = false) => new()
    {
        Color = color,
        StrokeWidth = width,
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        PathEffect = dashed ? SKPathEffect.CreateDash([8, 5], 0) : dotted ? SKPathEffect.CreateDash([2, 4], 0) : null,
    };

    /// <summary>About <paramref name="count"/> round tick values covering [<paramref name="min"/>, <paramref name="max"/>] (steps of 1, 2, 2.5 or 5 times a power of ten).</summary>
    public static double[] Ticks(double min, double max, int count = 5)
    {
        if (!(max > min))
            return [min];
        double raw = (max - min) / count, power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * power).First(s => s >= raw);
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step)
            ticks.Add(Math.Round(t / step) * step);
        return [.. ticks];
    }
}
