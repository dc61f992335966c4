using System.Globalization;
using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>One panel of lines over epochs: a left axis, an optional right axis, gridlines, a vertical marker and a legend.</summary>
internal sealed class LineChart
{
    public sealed record Series(string Legend, double[] X, double[] Y, SKColor Color, bool Dashed = false, bool RightAxis = false);

    private const float Left = 70, Right = 70, Top = 34, Bottom = 48;

    public required string Title { get; init; }
    public required string XLabel { get; init; }
    public required string YLabel { get; init; }
    public string RightLabel { get; init; } = "";
    public List<Series> Lines { get; } = [];
    public (double X, string Legend)? Marker { get; init; }

    public void Draw(SKCanvas canvas, SKRect area)
    {
        var plot = new SKRect(area.Left + Left, area.Top + Top, area.Right - Right, area.Bottom - Bottom);
        Ink.Write(canvas, Title, (plot.Left + plot.Right) / 2, area.Top + 20, 14, SKTextAlign.Center, bold: true);

        var xs = Lines.SelectMany(s => s.X).ToArray();
        double xMin = xs.Min(), xMax = xs.Max();
        if (xMax == xMin)
            (xMin, xMax) = (xMin - 1, xMax + 1);
        var (leftMin, leftMax) = Range(Lines.Where(s => !s.RightAxis));
        var rightSeries = Lines.Where(s => s.RightAxis).ToList();
        var (rightMin, rightMax) = rightSeries.Count > 0 ? Range(rightSeries, fromZero: true) : (0, 1);
        float X(double x) => (float)(plot.Left + (x - xMin) / (xMax - xMin) * plot.Width);
        float Y(double y, bool right) => right
            ? (float)(plot.Bottom - (y - rightMin) / (rightMax - rightMin) * plot.Height)
            : (float)(plot.Bottom - (y - leftMin) / (leftMax - leftMin) * plot.Height);

        using var grid = Ink.Line(Ink.Grid);
        using var axis = Ink.Line(Ink.Axis);
        foreach (double t in Ink.Ticks(leftMin, leftMax))
        {
            canvas.DrawLine(plot.Left, Y(t, false), plot.Right, Y(t, false), grid);
            Ink.Write(canvas, Format(t), plot.Left - 6, Y(t, false) + 4, 11, SKTextAlign.Right);
        }
        foreach (double t in Ink.Ticks(xMin, xMax, Math.Min(10, (int)(xMax - xMin))).Where(t => Math.Abs(t - Math.Round(t)) < 1e-9))
        {
            canvas.DrawLine(X(t), plot.Top, X(t), plot.Bottom, grid);
            Ink.Write(canvas, Format(t), X(t), plot.Bottom + 15, 11, SKTextAlign.Center);
        }
        if (rightSeries.Count > 0)
        {
            foreach (double t in Ink.Ticks(rightMin, rightMax))
                Ink.Write(canvas, (t == 0 ? 0 : t).ToString("G3", CultureInfo.InvariantCulture), plot.Right + 6, Y(t, true) + 4, 11);
            Ink.WriteVertical(canvas, RightLabel, area.Right - 12, (plot.Top + plot.Bottom) / 2, 12);
        }
        canvas.DrawRect(plot, axis);
        Ink.Write(canvas, XLabel, (plot.Left + plot.Right) / 2, area.Bottom - 10, 12, SKTextAlign.Center);
        Ink.WriteVertical(canvas, YLabel, area.Left + 16, (plot.Top + plot.Bottom) / 2, 12);

        canvas.Save();
        canvas.ClipRect(new SKRect(plot.Left - 4, plot.Top - 4, plot.Right + 4, plot.Bottom + 4));
        foreach (var s in Lines)
        {
            using var line = Ink.Line(s.Color, 2, dashed: s.Dashed);
            using var path = new SKPath();
            for (int i = 0; i < s.X.Length; i++)
            {
                if (i == 0)
                    path.MoveTo(X(s.X[i]), Y(s.Y[i], s.RightAxis));
                else
                    path.LineTo(X(s.X[i]), Y(s.Y[i], s.RightAxis));
            }
            canvas.DrawPath(path, line);
            using var dot = new SKPaint { Color = s.Color, IsAntialias = true };
            if (!s.Dashed)
            {
                for (int i = 0; i < s.X.Length; i++)
                    canvas.DrawCircle(X(s.X[i]), Y(s.Y[i], s.RightAxis), 3, dot);
            }
        }
        if (Marker is { } marker)
        {
            using var dotted = Ink.Line(SKColors.Black, 1.5f, dotted: true);
            canvas.DrawLine(X(marker.X), plot.Top, X(marker.X), plot.Bottom, dotted);
        }
        canvas.Restore();

        // The legend, inside the panel's top-right corner.
        var entries = Lines.Select(s => (s.Legend, s.Color, s.Dashed, Dotted: false)).ToList();
        if (Marker is { } m)
            entries.Add((m.Legend, SKColors.Black, false, true));
        float width = entries.Max(e => Ink.Width(e.Legend, 11)) + 40, height = entries.Count * 16 + 8;
        var box = new SKRect(plot.Right - width - 8, plot.Top + 8, plot.Right - 8, plot.Top + 8 + height);
        using var fill = new SKPaint { Color = new SKColor(255, 255, 255, 230) };
        canvas.DrawRect(box, fill);
        canvas.DrawRect(box, axis);
        for (int i = 0; i < entries.Count; i++)
        {
            float y = box.Top + 14 + i * 16;
            using var sample = Ink.Line(entries[i].Color, 2, dashed: entries[i].Dashed, dotted: entries[i].Dotted);
            canvas.DrawLine(box.Left + 6, y - 4, box.Left + 28, y - 4, sample);
            Ink.Write(canvas, entries[i].Legend, box.Left + 34, y, 11);
        }
    }

    private static (double Min, double Max) Range(IEnumerable<Series> series, bool fromZero = false)
    {
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).ToArray();
        if (ys.Length == 0)
            return (0, 1);
        double min = fromZero ? Math.Min(0, ys.Min()) : ys.Min(), max = ys.Max();
        if (max == min)
            (min, max) = (min - Math.Max(Math.Abs(min) * 0.1, 1e-6), max + Math.Max(Math.Abs(max) * 0.1, 1e-6));
        double pad = (max - min) * 0.06;
        return (fromZero ? min : min - pad, max + pad);
    }

    private static string Format(double value) => (value == 0 ? 0 : value).ToString(Math.Abs(value) >= 10 || value == Math.Round(value) ? "0.##" : "0.###", CultureInfo.InvariantCulture);
}
