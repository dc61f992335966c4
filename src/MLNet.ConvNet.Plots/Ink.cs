using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>Text on a SkiaSharp canvas (the image grids' titles and captions), in the SkiaSharp 2.88 API the core library names.</summary>
internal static class Ink
{
    public static readonly SKColor Text = new(32, 32, 32);

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

    public static float Width(string text, float size)
    {
        using var paint = Font(size);
        return paint.MeasureText(text);
    }
}
