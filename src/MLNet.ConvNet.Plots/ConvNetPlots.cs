using System.Globalization;
using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>
/// One picture each, as a PNG file: training curves, a confusion heatmap, a layer's filters, a layer's feature maps,
/// saliency overlays and a grid of labelled images. They take what the library gives (<c>transformer.History</c>,
/// <c>Model.GetWeights()</c>, <c>Model.GetActivations</c>, <c>Model.GetSaliency</c>, <c>Model.GetGradCam</c>) and
/// return where each tile landed. <see cref="ConvNetReport"/> puts them all on one page.
/// </summary>
public static class ConvNetPlots
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Loss (left) and accuracy (right) per epoch, training and validation when there is validation, with the learning
    /// rate on the loss panel's second axis and the epoch whose weights the model holds marked on both panels. A
    /// history without accuracy (a regression's) gets the loss panel alone, across the whole width.
    /// </summary>
    /// <param name="history">The epochs, as <c>transformer.History</c>.</param>
    /// <param name="finalEpoch">The epoch whose weights the model holds (<c>transformer.FinalEpoch</c>); marked "restored" when it is not the last.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Pixels across. Defaults to 1100.</param>
    /// <param name="height">Pixels down. Defaults to 420.</param>
    /// <exception cref="ArgumentException">The history is empty.</exception>
    public static Picture TrainingCurves(IReadOnlyList<EpochMetrics> history, int finalEpoch, string path, int width = 1100, int height = 420)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
            throw new ArgumentException("The history has no epochs to plot; a model loaded from a file written before any training has none.", nameof(history));
        bool validation = history.All(h => h.ValidationLoss.HasValue);
        bool restored = finalEpoch != history[^1].Epoch;
        string marker = restored ? $"restored epoch {finalEpoch}" : $"final epoch {finalEpoch}";
        string augmented = history.Any(h => h.Augmented) ? " (training on augmented images)" : "";
        double first = history[0].Epoch, last = history[^1].Epoch;
        IEnumerable<(double, double)> Points(Func<EpochMetrics, double?> value) => history.Select(h => ((double)h.Epoch, value(h) ?? double.NaN));

        var loss = Charts.OverEpochs("Loss" + augmented, "loss", first, last);
        loss.Series.Add(Charts.Line("training loss", Points(h => h.Loss), Charts.Blue));
        if (validation)
            loss.Series.Add(Charts.Line("validation loss", Points(h => h.ValidationLoss), Charts.Orange));
        loss.Axes.Add(new OxyPlot.Axes.LinearAxis
        {
            Position = OxyPlot.Axes.AxisPosition.Right,
            Key = "learning rate",
            Title = "learning rate",
            Minimum = 0,
            MaximumPadding = 0.06,
            StringFormat = "G3",
        });
        loss.Series.Add(Charts.Line("learning rate (right axis)", Points(h => h.LearningRate), Charts.Grey, dashed: true, axisKey: "learning rate"));
        Charts.MarkEpoch(loss, finalEpoch, marker);

        var accuracy = Charts.OverEpochs("Accuracy" + augmented, "accuracy (%)", first, last);
        accuracy.Series.Add(Charts.Line("training accuracy", Points(h => h.Accuracy * 100), Charts.Blue));
        if (validation)
            accuracy.Series.Add(Charts.Line("validation accuracy", Points(h => h.ValidationAccuracy * 100), Charts.Orange));
        Charts.MarkEpoch(accuracy, finalEpoch, marker);

        // A regression has no accuracy: the loss takes the whole width.
        bool hasAccuracy = history.Any(h => double.IsFinite(h.Accuracy));
        int half = hasAccuracy ? width / 2 : width;
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        using (var left = Charts.Render(loss, half, height))
        using (var right = hasAccuracy ? Charts.Render(accuracy, width - half, height) : null)
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(left, 0, 0);
            if (right is not null)
                canvas.DrawBitmap(right, half, 0);
        }
        PngFile.Write(bitmap, path);
        return new Picture(path, width, height, []);
    }

    /// <summary>
    /// A learning-rate search (<c>trainer.FindLearningRate</c>): the smoothed loss against the learning rate on a log
    /// axis, each batch's own loss faint behind it, and the suggested rate marked.
    /// </summary>
    /// <param name="finding">What the search found.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Pixels across. Defaults to 800.</param>
    /// <param name="height">Pixels down. Defaults to 420.</param>
    public static Picture LearningRateCurve(LearningRateFinding finding, string path, int width = 800, int height = 420)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var model = Charts.OverEpochs($"Learning-rate search{(finding.Diverged ? " (stopped where the loss diverged)" : "")}", "loss", 0, 1);
        model.Axes.Remove(model.Axes.First(a => a.Position == OxyPlot.Axes.AxisPosition.Bottom));
        model.Axes.Add(new OxyPlot.Axes.LogarithmicAxis
        {
            Position = OxyPlot.Axes.AxisPosition.Bottom,
            Title = "learning rate",
            MajorGridlineStyle = OxyPlot.LineStyle.Solid,
            MajorGridlineColor = OxyPlot.OxyColor.FromRgb(228, 228, 228),
            StringFormat = "G2",
        });
        var raw = Charts.Line("loss of each batch", finding.Rates.Zip(finding.RawLosses), Charts.Grey, dashed: true);
        raw.StrokeThickness = 1;
        model.Series.Add(raw);
        var smoothed = Charts.Line("smoothed loss", finding.Rates.Zip(finding.Losses), Charts.Blue);
        smoothed.MarkerType = OxyPlot.MarkerType.None;
        model.Series.Add(smoothed);
        Charts.MarkEpoch(model, finding.Suggested, string.Create(Invariant, $"suggested {finding.Suggested:G3}"));
        using var bitmap = Charts.Render(model, width, height);
        PngFile.Write(bitmap, path);
        return new Picture(path, width, height, []);
    }

    /// <summary>
    /// The confusion matrix as a heatmap: true classes down, predicted classes across, darker for more, with each
    /// cell's count (or share of its row, when <paramref name="normalizeRows"/>) written in it, and a colour bar.
    /// </summary>
    /// <param name="counts">counts[true class][predicted class], as ML.NET's <c>ConfusionMatrix.Counts</c>.</param>
    /// <param name="classNames">One name per class, in the same order.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="normalizeRows">Colour and label each cell by its share of the true class's images. Defaults to false: counts.</param>
    /// <param name="size">Pixels across and down. Defaults to 640.</param>
    /// <returns>The picture, with one tile per cell, row after row (true class 0 first), captioned with its text.</returns>
    /// <exception cref="ArgumentException">The matrix is not square, or the names do not match it.</exception>
    public static Picture ConfusionHeatmap(IReadOnlyList<IReadOnlyList<double>> counts, IReadOnlyList<string> classNames, string path, bool normalizeRows = false, int size = 640)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        int n = counts.Count;
        if (n == 0 || counts.Any(row => row.Count != n))
            throw new ArgumentException($"Expected a square confusion matrix; got {n} rows of {string.Join(", ", counts.Select(r => r.Count).Distinct())} values.", nameof(counts));
        if (classNames.Count != n)
            throw new ArgumentException($"Expected {n} class names, one per row of the matrix; got {classNames.Count}.", nameof(classNames));

        // HeatMapSeries indexes its data [x, y]: predicted class across, true class down.
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            double total = counts[r].Sum();
            for (int c = 0; c < n; c++)
                values[c, r] = normalizeRows ? (total > 0 ? counts[r][c] / total : 0) : counts[r][c];
        }
        double max = Math.Max(values.Cast<double>().Max(), normalizeRows ? 1e-12 : 1);
        string Text(double v) => normalizeRows ? v.ToString("0.00", Invariant) : v.ToString("0", Invariant);

        var model = new OxyPlot.PlotModel
        {
            Title = normalizeRows ? "Confusion matrix (share of each true class)" : "Confusion matrix (counts)",
            TitleFontSize = 14,
            DefaultFontSize = 12,
            DefaultFont = Charts.Font,
            Background = OxyPlot.OxyColors.White,
        };
        var across = Charts.Classes(OxyPlot.Axes.AxisPosition.Bottom, "predicted class", classNames);
        var down = Charts.Classes(OxyPlot.Axes.AxisPosition.Left, "true class", classNames, firstAtTop: true);
        model.Axes.Add(across);
        model.Axes.Add(down);
        model.Axes.Add(new OxyPlot.Axes.LinearColorAxis
        {
            Position = OxyPlot.Axes.AxisPosition.Right,
            Palette = Charts.WhiteToBlue,
            Minimum = 0,
            Maximum = max,
            Title = normalizeRows ? "share" : "count",
        });
        model.Series.Add(new OxyPlot.Series.HeatMapSeries
        {
            X0 = 0,
            X1 = n - 1,
            Y0 = 0,
            Y1 = n - 1,
            Data = values,
            Interpolate = false,
            RenderMethod = OxyPlot.Series.HeatMapRenderMethod.Rectangles,
        });
        double fontSize = Math.Clamp((size - 160.0) / n * 0.3, 7, 13);
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                model.Annotations.Add(new OxyPlot.Annotations.TextAnnotation
                {
                    Text = Text(values[c, r]),
                    TextPosition = new OxyPlot.DataPoint(c, r),
                    TextHorizontalAlignment = OxyPlot.HorizontalAlignment.Center,
                    TextVerticalAlignment = OxyPlot.VerticalAlignment.Middle,
                    TextColor = values[c, r] / max > 0.55 ? OxyPlot.OxyColors.White : OxyPlot.OxyColor.FromRgb(32, 32, 32),
                    Stroke = OxyPlot.OxyColors.Undefined,
                    StrokeThickness = 0,
                    FontSize = fontSize,
                });
            }
        }

        using var bitmap = Charts.Render(model, size, size);
        // The axes' transforms now hold the rendered layout: each cell spans its category +- 0.5 on both axes.
        var tiles = new List<Tile>();
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                double x0 = across.Transform(c - 0.5), x1 = across.Transform(c + 0.5), y0 = down.Transform(r - 0.5), y1 = down.Transform(r + 0.5);
                int left = (int)Math.Ceiling(Math.Min(x0, x1)), top = (int)Math.Ceiling(Math.Min(y0, y1));
                tiles.Add(new Tile(left, top, (int)Math.Floor(Math.Max(x0, x1)) - left, (int)Math.Floor(Math.Max(y0, y1)) - top, Text(values[c, r])));
            }
        }
        PngFile.Write(bitmap, path);
        return new Picture(path, size, size, tiles);
    }

    /// <summary>
    /// A convolution layer's filters as a grid of small images, one tile per filter, on one colour scale shared by all
    /// (blue negative, white zero, red positive; the largest magnitude at full colour). Filters over three input
    /// channels are drawn in colour (red, green, blue); others as the mean over their input channels.
    /// </summary>
    /// <param name="weights">A convolution weight, shaped [filters, input channels, height, width], such as <c>conv2d.weight</c> from <c>Model.GetWeights()</c>.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="scale">Pixels per weight. Defaults to 20.</param>
    /// <exception cref="ArgumentException">The tensor is not a convolution weight.</exception>
    public static Picture Filters(WeightTensor weights, string path, int scale = 20)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Shape.Count != 4)
            throw new ArgumentException($"Expected a convolution weight shaped [filters, input channels, height, width]; '{weights.Name}' is [{string.Join(", ", weights.Shape)}].", nameof(weights));
        int filters = (int)weights.Shape[0], channels = (int)weights.Shape[1], rows = (int)weights.Shape[2], columns = (int)weights.Shape[3];
        double largest = weights.Values.Max(v => Math.Abs(v));
        double Scaled(double v) => largest > 0 ? v / largest / 2 + 0.5 : 0.5;
        var items = new List<TileGrid.Item>();
        for (int f = 0; f < filters; f++)
        {
            var pixels = new SKColor[rows * columns];
            for (int p = 0; p < pixels.Length; p++)
            {
                int Index(int channel) => ((f * channels + channel) * rows * columns) + p;
                if (channels == 3)
                {
                    byte Channel(int channel) => (byte)Math.Round(Scaled(weights.Values[Index(channel)]) * 255);
                    pixels[p] = new SKColor(Channel(0), Channel(1), Channel(2));
                }
                else
                {
                    double mean = 0;
                    for (int channel = 0; channel < channels; channel++)
                        mean += weights.Values[Index(channel)];
                    pixels[p] = Colormap.Diverging[Scaled(mean / channels)];
                }
            }
            items.Add(new TileGrid.Item(rows, columns, pixels, [$"filter {f}"]));
        }
        string how = channels == 3 ? "red, green, blue = the three input channels" : channels == 1 ? "blue negative, white 0, red positive" : $"mean over {channels} input channels; blue negative, red positive";
        return TileGrid.Write(path, $"{weights.Name}: {filters} filters of {rows}x{columns} ({how})", items, columns: Math.Min(filters, 8), scale,
            footer: string.Create(Invariant, $"One colour scale for all: full colour at |w| = {largest:G3}."));
    }

    /// <summary>
    /// A layer's feature maps for one image, one tile per channel, on one colour scale shared by all the layer's maps
    /// for that image (dark for 0 or less, yellow for the largest value).
    /// </summary>
    /// <param name="activation">The layer's output, from <c>Model.GetActivations</c>; must be image-shaped.</param>
    /// <param name="image">Which of the images in it. Defaults to 0.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="scale">Pixels per value. Defaults to a size that makes each map about 100 pixels across.</param>
    /// <exception cref="InvalidOperationException">The layer's output is not image-shaped.</exception>
    public static Picture ActivationMaps(LayerActivation activation, string path, int image = 0, int? scale = null)
    {
        ArgumentNullException.ThrowIfNull(activation);
        int channels = (int)activation.Shape[1];
        var maps = Enumerable.Range(0, channels).Select(c => activation.Map(image, c).ToArray()).ToList();
        int rows = (int)activation.Shape[2], columns = (int)activation.Shape[3];
        float largest = maps.Max(m => m.Max());
        var items = maps.Select((m, c) => new TileGrid.Item(rows, columns, m.Select(v => Colormap.Viridis[largest > 0 ? v / largest : 0]).ToArray(), [$"channel {c}"])).ToList();
        int pixels = scale ?? Math.Max(1, 100 / Math.Max(rows, columns));
        return TileGrid.Write(path, $"{activation.LayerName} ({activation.TypeName}): {channels} maps of {rows}x{columns}", items, columns: Math.Min(channels, 8), pixels,
            footer: string.Create(Invariant, $"One colour scale for all: dark at 0, yellow at {largest:G3}."));
    }

    /// <summary>
    /// For each example, three tiles: the image, the gradient saliency over it and the Grad-CAM over it (red where the
    /// class score depends most), captioned with the true and the predicted class and its probability.
    /// </summary>
    /// <param name="examples">The images with their maps, from <c>Model.GetSaliency</c> and <c>Model.GetGradCam</c>.</param>
    /// <param name="shape">The images' shape.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="scale">Pixels per image pixel. Defaults to 4.</param>
    public static Picture Saliency(IReadOnlyList<SaliencyExample> examples, ImageShape shape, string path, int scale = 4)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var items = new List<TileGrid.Item>();
        foreach (var e in examples)
        {
            string caption = string.Create(Invariant, $"true {e.TrueLabel}, predicted {e.PredictedLabel} ({e.Gradient.Probability:P0})");
            items.Add(new TileGrid.Item(shape.Height, shape.Width, ImageColours(e.Image, shape), [caption, "image"]));
            items.Add(new TileGrid.Item(shape.Height, shape.Width, Overlay(e.Image, shape, e.Gradient), ["", "gradient saliency"]));
            items.Add(new TileGrid.Item(shape.Height, shape.Width, Overlay(e.Image, shape, e.GradCam), ["", e.GradCam.Method]));
        }
        return TileGrid.Write(path, "Which pixels decided the prediction (each map scaled to its own largest value)", items, columns: 6, scale);
    }

    /// <summary>Images in a grid, each with its caption lines, such as the most confidently wrong test images.</summary>
    /// <param name="images">The images and their captions.</param>
    /// <param name="shape">The images' shape.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">The line on top.</param>
    /// <param name="scale">Pixels per image pixel. Defaults to 3.</param>
    /// <exception cref="ArgumentException">There are no images.</exception>
    public static Picture Images(IReadOnlyList<LabelledImage> images, ImageShape shape, string path, string title, int scale = 3)
    {
        ArgumentNullException.ThrowIfNull(images);
        var items = images.Select(i => new TileGrid.Item(shape.Height, shape.Width, ImageColours(i.Pixels, shape), [.. i.Caption])).ToList();
        return TileGrid.Write(path, title, items, columns: 8, scale);
    }

    /// <summary>Grey for one channel, colour for three, otherwise the mean of the channels; values in [0, 1].</summary>
    internal static SKColor[] ImageColours(float[] image, ImageShape shape)
    {
        int plane = shape.Height * shape.Width;
        var pixels = new SKColor[plane];
        static byte Byte(float v) => (byte)Math.Round(Math.Clamp(v, 0f, 1f) * 255);
        for (int p = 0; p < plane; p++)
        {
            if (shape.Channels == 3)
            {
                pixels[p] = new SKColor(Byte(image[p]), Byte(image[plane + p]), Byte(image[2 * plane + p]));
            }
            else
            {
                float mean = 0;
                for (int c = 0; c < shape.Channels; c++)
                    mean += image[c * plane + p];
                byte grey = Byte(mean / shape.Channels);
                pixels[p] = new SKColor(grey, grey, grey);
            }
        }
        return pixels;
    }

    /// <summary>The image dimmed, with the map laid over it in red to yellow, opaque where the map is largest.</summary>
    private static SKColor[] Overlay(float[] image, ImageShape shape, SaliencyMap map)
    {
        var baseColours = ImageColours(image, shape);
        float largest = map.Values.Max();
        var pixels = new SKColor[baseColours.Length];
        for (int p = 0; p < pixels.Length; p++)
        {
            double v = largest > 0 ? map.Values[p] / largest : 0;
            var under = baseColours[p];
            double r = under.Red * 0.45, g = under.Green * 0.45, b = under.Blue * 0.45;
            (double hr, double hg, double hb) = (255, 255 * Math.Clamp(v * 2 - 1, 0, 1), 0);
            pixels[p] = new SKColor((byte)(r + (hr - r) * v), (byte)(g + (hg - g) * v), (byte)(b + (hb - b) * v));
        }
        return pixels;
    }
}

/// <summary>One image explained for <see cref="ConvNetPlots.Saliency"/>.</summary>
/// <param name="Image">The image, channel-major, values in [0, 1].</param>
/// <param name="Gradient">Its gradient saliency (<c>Model.GetSaliency</c>).</param>
/// <param name="GradCam">Its Grad-CAM (<c>Model.GetGradCam</c>).</param>
/// <param name="TrueLabel">The true class's name.</param>
/// <param name="PredictedLabel">The predicted class's name.</param>
public sealed record SaliencyExample(float[] Image, SaliencyMap Gradient, SaliencyMap GradCam, string TrueLabel, string PredictedLabel);

/// <summary>An image with caption lines, for <see cref="ConvNetPlots.Images"/>.</summary>
/// <param name="Pixels">The image, channel-major, values in [0, 1].</param>
/// <param name="Caption">Lines under it.</param>
public sealed record LabelledImage(float[] Pixels, IReadOnlyList<string> Caption);
