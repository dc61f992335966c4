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
    /// rate on the loss panel's second axis and the epoch whose weights the model holds marked on both panels.
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
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        bool validation = history.All(h => h.ValidationLoss.HasValue);
        bool restored = finalEpoch != history[^1].Epoch;
        var marker = ((double)finalEpoch, restored ? $"restored epoch {finalEpoch}" : $"final epoch {finalEpoch}");
        string augmented = history.Any(h => h.Augmented) ? " (training on augmented images)" : "";

        var loss = new LineChart { Title = "Loss" + augmented, XLabel = "epoch", YLabel = "cross-entropy", RightLabel = "learning rate", Marker = marker };
        loss.Lines.Add(new("training loss", epochs, history.Select(h => h.Loss).ToArray(), Blue));
        if (validation)
            loss.Lines.Add(new("validation loss", epochs, history.Select(h => h.ValidationLoss ?? double.NaN).ToArray(), Orange));
        loss.Lines.Add(new("learning rate (right axis)", epochs, history.Select(h => h.LearningRate).ToArray(), SKColors.Gray, Dashed: true, RightAxis: true));

        var accuracy = new LineChart { Title = "Accuracy" + augmented, XLabel = "epoch", YLabel = "accuracy (%)", Marker = marker };
        accuracy.Lines.Add(new("training accuracy", epochs, history.Select(h => h.Accuracy * 100).ToArray(), Blue));
        if (validation)
            accuracy.Lines.Add(new("validation accuracy", epochs, history.Select(h => (h.ValidationAccuracy ?? double.NaN) * 100).ToArray(), Orange));

        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            loss.Draw(canvas, new SKRect(0, 0, width / 2f, height));
            accuracy.Draw(canvas, new SKRect(width / 2f, 0, width, height));
        }
        PngFile.Write(bitmap, path);
        return new Picture(path, width, height, []);
    }

    private static readonly SKColor Blue = new(31, 119, 180), Orange = new(255, 127, 14);

    /// <summary>
    /// The confusion matrix as a heatmap: true classes down, predicted classes across, darker for more, with each
    /// cell's count (or share of its row, when <paramref name="normalizeRows"/>) written in it.
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

        var values = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            double total = counts[r].Sum();
            for (int c = 0; c < n; c++)
                values[r, c] = normalizeRows ? (total > 0 ? counts[r][c] / total : 0) : counts[r][c];
        }
        double max = Math.Max(values.Cast<double>().Max(), normalizeRows ? 1e-12 : 1);
        string Text(double v) => normalizeRows ? v.ToString("0.00", Invariant) : v.ToString("0", Invariant);

        float labelSpace = Math.Max(60, classNames.Max(name => Ink.Width(name, 12)) + 40);
        var grid = new SKRect(labelSpace, 44, size - 90, size - labelSpace + 10);
        float side = Math.Min(grid.Width, grid.Height);
        grid = new SKRect(grid.Left, grid.Top, grid.Left + side, grid.Top + side);
        float cell = side / n;
        float fontSize = Math.Clamp(cell * 0.32f, 7, 13);

        var tiles = new List<Tile>();
        using var bitmap = new SKBitmap(size, size);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            Ink.Write(canvas, normalizeRows ? "Confusion matrix (share of each true class)" : "Confusion matrix (counts)", size / 2f, 24, 14, SKTextAlign.Center, bold: true);
            using var fill = new SKPaint { IsAntialias = false };
            for (int r = 0; r < n; r++)
            {
                for (int c = 0; c < n; c++)
                {
                    double share = values[r, c] / max;
                    fill.Color = Colormap.WhiteToBlue[share];
                    var rect = new SKRect(grid.Left + c * cell, grid.Top + r * cell, grid.Left + (c + 1) * cell, grid.Top + (r + 1) * cell);
                    canvas.DrawRect(rect, fill);
                    Ink.Write(canvas, Text(values[r, c]), rect.MidX, rect.MidY + fontSize / 3, fontSize, SKTextAlign.Center, share > 0.55 ? SKColors.White : Ink.Text);
                    tiles.Add(new Tile((int)Math.Ceiling(rect.Left), (int)Math.Ceiling(rect.Top), (int)Math.Floor(rect.Right) - (int)Math.Ceiling(rect.Left), (int)Math.Floor(rect.Bottom) - (int)Math.Ceiling(rect.Top), Text(values[r, c])));
                }
                Ink.Write(canvas, classNames[r], grid.Left - 6, grid.Top + (r + 0.5f) * cell + 4, 12, SKTextAlign.Right);
            }
            for (int c = 0; c < n; c++)
            {
                canvas.Save();
                canvas.RotateDegrees(n > 12 ? -45 : 0, grid.Left + (c + 0.5f) * cell, grid.Bottom + 16);
                Ink.Write(canvas, classNames[c], grid.Left + (c + 0.5f) * cell, grid.Bottom + 16, 12, n > 12 ? SKTextAlign.Right : SKTextAlign.Center);
                canvas.Restore();
            }
            using var frame = Ink.Line(Ink.Axis);
            canvas.DrawRect(grid, frame);
            Ink.Write(canvas, "predicted class", grid.MidX, Math.Min(size - 10, grid.Bottom + (n > 12 ? labelSpace : 40)), 13, SKTextAlign.Center);
            Ink.WriteVertical(canvas, "true class", 16, grid.MidY, 13);

            // The colour bar: 0 at the bottom, the largest value at the top.
            var bar = new SKRect(grid.Right + 20, grid.Top, grid.Right + 36, grid.Bottom);
            for (int y = 0; y < (int)bar.Height; y++)
            {
                fill.Color = Colormap.WhiteToBlue[1 - y / bar.Height];
                canvas.DrawRect(bar.Left, bar.Top + y, bar.Width, 1, fill);
            }
            canvas.DrawRect(bar, frame);
            Ink.Write(canvas, Text(max), bar.Right + 4, bar.Top + 10, 11);
            Ink.Write(canvas, Text(0), bar.Right + 4, bar.Bottom, 11);
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
