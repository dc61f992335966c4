using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>
/// The report's charts as OxyPlot models, and their rendering to pixels: line charts over epochs with the legend
/// below the plot area (so it never covers a line), and the confusion heatmap with a colour bar.
/// </summary>
internal static class Charts
{
    public static readonly OxyColor Blue = OxyColor.FromRgb(31, 119, 180);
    public static readonly OxyColor Orange = OxyColor.FromRgb(255, 127, 14);
    public static readonly OxyColor Grey = OxyColor.FromRgb(120, 120, 120);

    /// <summary>The typeface the image grids' captions use, so charts and tiles read alike (OxyPlot's own default, Segoe UI, is missing on Linux).</summary>
    public static string Font { get; } = SKTypeface.Default.FamilyName;

    /// <summary>White through light blue to dark navy: counts, darker for more.</summary>
    public static OxyPalette WhiteToBlue { get; } = OxyPalette.Interpolate(256,
        OxyColors.White, OxyColor.FromRgb(158, 202, 225), OxyColor.FromRgb(49, 130, 189), OxyColor.FromRgb(8, 48, 107));

    /// <summary>A chart over epochs: a titled model with an epoch axis below, a value axis on the left and a legend under the plot area.</summary>
    public static PlotModel OverEpochs(string title, string valueTitle, double firstEpoch, double lastEpoch)
    {
        var model = new PlotModel
        {
            Title = title,
            TitleFontSize = 14,
            DefaultFontSize = 11,
            DefaultFont = Font,
            Background = OxyColors.White,
            PlotAreaBorderColor = OxyColor.FromRgb(90, 90, 90),
        };
        model.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.BottomCenter,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendBorderThickness = 0,
            LegendFontSize = 11,
        });
        double pad = Math.Max((lastEpoch - firstEpoch) * 0.02, 0.05);
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = "epoch",
            Minimum = firstEpoch - pad,
            Maximum = lastEpoch + pad,
            MajorStep = EpochStep(lastEpoch - firstEpoch),
            MinorStep = EpochStep(lastEpoch - firstEpoch),
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = OxyColor.FromRgb(228, 228, 228),
            StringFormat = "0",
        });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left,
            Title = valueTitle,
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = OxyColor.FromRgb(228, 228, 228),
            MinimumPadding = 0.06,
            MaximumPadding = 0.06,
        });
        return model;
    }

    /// <summary>Whole epochs between ticks: about ten ticks across the run.</summary>
    private static double EpochStep(double span) => Math.Max(1, Math.Ceiling(span / 10));

    /// <summary>A line with a dot per epoch (or a dashed line without dots), on the left axis or the one keyed <paramref name="axisKey"/>.</summary>
    public static LineSeries Line(string title, IEnumerable<(double X, double Y)> points, OxyColor color, bool dashed = false, string? axisKey = null)
    {
        var series = new LineSeries
        {
            Title = title,
            Color = color,
            StrokeThickness = 2,
            LineStyle = dashed ? LineStyle.Dash : LineStyle.Solid,
            MarkerType = dashed ? MarkerType.None : MarkerType.Circle,
            MarkerSize = 3,
            MarkerFill = color,
        };
        if (axisKey is not null)
            series.YAxisKey = axisKey;
        series.Points.AddRange(points.Where(p => double.IsFinite(p.Y)).Select(p => new DataPoint(p.X, p.Y)));
        return series;
    }

    /// <summary>The dotted vertical line at the epoch whose weights the model holds, named in the legend.</summary>
    public static void MarkEpoch(PlotModel model, double epoch, string title)
    {
        model.Annotations.Add(new LineAnnotation
        {
            Type = LineAnnotationType.Vertical,
            X = epoch,
            Color = OxyColors.Black,
            LineStyle = LineStyle.Dot,
            StrokeThickness = 1.5,
        });
        // A line annotation has no legend entry; an empty series of the same look gives it one.
        model.Series.Add(new LineSeries { Title = title, Color = OxyColors.Black, LineStyle = LineStyle.Dot, StrokeThickness = 1.5 });
    }

    /// <summary>Renders <paramref name="model"/> at <paramref name="width"/> x <paramref name="height"/> (96 dpi: one unit, one pixel).</summary>
    public static SKBitmap Render(PlotModel model, int width, int height)
    {
        using var stream = new MemoryStream();
        new OxyPlot.SkiaSharp.PngExporter { Width = width, Height = height }.Export(model, stream);
        stream.Position = 0;
        return SKBitmap.Decode(stream) ?? throw new InvalidOperationException($"OxyPlot rendered '{model.Title}' to an image SkiaSharp cannot decode.");
    }

    /// <summary>A category axis of class names, the first class at the start of the axis.</summary>
    public static CategoryAxis Classes(AxisPosition position, string title, IReadOnlyList<string> names, bool firstAtTop = false)
    {
        var axis = new CategoryAxis
        {
            Position = position,
            Title = title,
            GapWidth = 0,
            IsTickCentered = false,
            MajorTickSize = 0,
            Angle = position == AxisPosition.Bottom && names.Count > 12 ? -45 : 0,
        };
        if (firstAtTop)
        {
            axis.StartPosition = 1;
            axis.EndPosition = 0;
        }
        axis.Labels.AddRange(names);
        return axis;
    }
}
