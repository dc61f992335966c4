using MLNet.ConvNet;
using ScottPlot;
using SkiaSharp;

/// <summary>
/// The report's training curves and confusion heatmap drawn with ScottPlot 5, to the same design as MLNet.ConvNet.Plots'
/// OxyPlot charts: loss (learning rate on a right axis) and accuracy side by side with the legend below and the kept
/// epoch marked; the matrix with true classes down, each cell's count written in it, and a colour bar.
/// </summary>
internal static class ScottPlotCharts
{
    private static readonly Color Blue = new(31, 119, 180), Orange = new(255, 127, 14), Grey = new(120, 120, 120);

    public static void TrainingCurves(IReadOnlyList<EpochMetrics> history, int finalEpoch, string path, int width = 1100, int height = 420)
    {
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        string marker = finalEpoch != history[^1].Epoch ? $"restored epoch {finalEpoch}" : $"final epoch {finalEpoch}";

        var loss = OverEpochs("Loss", "cross-entropy");
        Line(loss, "training loss", epochs, history.Select(h => h.Loss), Blue);
        Line(loss, "validation loss", epochs, history.Select(h => h.ValidationLoss ?? double.NaN), Orange);
        var rate = Line(loss, "learning rate (right axis)", epochs, history.Select(h => h.LearningRate), Grey, dashed: true);
        rate.Axes.YAxis = loss.Axes.Right;
        loss.Axes.Right.Label.Text = "learning rate";
        // A second axis is not scaled to the line on it by itself.
        loss.Axes.SetLimitsY(0, history.Max(h => h.LearningRate) * 1.06, loss.Axes.Right);
        Mark(loss, finalEpoch, marker);

        var accuracy = OverEpochs("Accuracy", "accuracy (%)");
        Line(accuracy, "training accuracy", epochs, history.Select(h => h.Accuracy * 100), Blue);
        Line(accuracy, "validation accuracy", epochs, history.Select(h => (h.ValidationAccuracy ?? double.NaN) * 100), Orange);
        Mark(accuracy, finalEpoch, marker);

        int half = width / 2;
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        using (var left = SKBitmap.Decode(loss.GetImageBytes(half, height, ImageFormat.Png)))
        using (var right = SKBitmap.Decode(accuracy.GetImageBytes(width - half, height, ImageFormat.Png)))
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(left, 0, 0);
            canvas.DrawBitmap(right, half, 0);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    public static void ConfusionHeatmap(IReadOnlyList<IReadOnlyList<double>> counts, IReadOnlyList<string> classNames, string path, int size = 640)
    {
        int n = counts.Count;
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                values[r, c] = counts[r][c];
        double max = values.Cast<double>().Max();
        var plot = new Plot();
        plot.Title("Confusion matrix (counts)");
        var map = plot.Add.Heatmap(values);
        map.Colormap = new ScottPlot.Colormaps.Blues().Reversed(); // white for none, dark blue for many, as the OxyPlot chart
        var bar = plot.Add.ColorBar(map);
        bar.Label = "count";
        double[] positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        string[] names = classNames.ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        // The heatmap draws row 0 at the top: the true classes read downwards, as in the OxyPlot chart.
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), names);
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                var text = plot.Add.Text(values[r, c].ToString("0"), c, n - 1 - r);
                text.LabelFontSize = 12;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = values[r, c] > max / 2 ? Colors.White : new Color(32, 32, 32);
            }
        }
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.SavePng(path, size, size);
    }

    private static Plot OverEpochs(string title, string valueTitle)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(valueTitle);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    private static ScottPlot.Plottables.Scatter Line(Plot plot, string title, double[] epochs, IEnumerable<double> values, Color color, bool dashed = false)
    {
        var line = plot.Add.Scatter(epochs, values.ToArray(), color);
        line.LegendText = title;
        line.LineWidth = 2;
        line.MarkerSize = dashed ? 0 : 6;
        line.LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid;
        return line;
    }

    private static void Mark(Plot plot, int epoch, string title)
    {
        var line = plot.Add.VerticalLine(epoch, 1.5f, Colors.Black, LinePattern.Dotted);
        line.LegendText = title;
    }
}
