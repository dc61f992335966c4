using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace MLNet.ConvNet.Plots;

/// <summary>One ROC curve of <see cref="TaskPlots.RocCurves"/>: a name, each image's score and whether it is a yes.</summary>
/// <param name="Name">What the curve is of: "Probability", a tag's name.</param>
/// <param name="Scores">Each image's score; higher means yes.</param>
/// <param name="Labels">Each image's truth.</param>
public sealed record RocInput(string Name, IReadOnlyList<float> Scores, IReadOnlyList<bool> Labels);

/// <summary>
/// The pictures of the tasks beside multiclass (docs/tasks.md): ROC curves for a binary model or each tag of a tagger,
/// a reliability diagram of a probability, and a regression's predicted values against the true ones. Each is a PNG
/// file; <see cref="ConvNetReport"/> puts them on a model's page.
/// </summary>
public static class TaskPlots
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly OxyColor[] Palette =
    [
        Charts.Blue, Charts.Orange, OxyColor.FromRgb(44, 160, 44), OxyColor.FromRgb(214, 39, 40), OxyColor.FromRgb(148, 103, 189),
        OxyColor.FromRgb(140, 86, 75), OxyColor.FromRgb(227, 119, 194), OxyColor.FromRgb(127, 127, 127), OxyColor.FromRgb(188, 189, 34), OxyColor.FromRgb(23, 190, 207),
    ];

    /// <summary>
    /// ROC curves: the true-positive rate against the false-positive rate as the threshold falls, one curve per input
    /// (named with its AUC in the legend), and the diagonal of a blind guess. A curve whose images are all yes or all
    /// no has no ROC and is left out, as its legend says.
    /// </summary>
    /// <param name="curves">One input per curve; up to 10 get their own colour, more repeat them.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="size">Pixels across and down. Defaults to 560.</param>
    /// <exception cref="ArgumentException">No curve, or a curve whose scores and labels differ in count.</exception>
    public static Picture RocCurves(IReadOnlyList<RocInput> curves, string path, int size = 560)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0)
            throw new ArgumentException("Expected at least one ROC curve to draw; got none.", nameof(curves));
        var model = Square("ROC", "false-positive rate", "true-positive rate");
        model.Series.Add(Diagonal("blind guess"));
        for (int c = 0; c < curves.Count; c++)
        {
            var curve = curves[c];
            if (curve.Scores.Count != curve.Labels.Count)
                throw new ArgumentException($"ROC curve '{curve.Name}' has {curve.Scores.Count} scores and {curve.Labels.Count} labels; expected one label per score.", nameof(curves));
            var (points, auc) = Roc(curve.Scores, curve.Labels);
            string title = double.IsNaN(auc) ? $"{curve.Name} (no ROC: one class only)" : string.Create(Invariant, $"{curve.Name} (AUC {auc:F3})");
            var series = new LineSeries { Title = title, Color = Palette[c % Palette.Length], StrokeThickness = 2 };
            series.Points.AddRange(points.Select(p => new DataPoint(p.X, p.Y)));
            model.Series.Add(series);
        }
        return Write(model, path, size, size);
    }

    /// <summary>
    /// The points of the ROC curve of <paramref name="scores"/> (ties taken together) and its area, by the trapezoids
    /// under them: the probability that a yes scores above a no, ties counting half. NaN without both classes.
    /// </summary>
    internal static (List<(double X, double Y)> Points, double Auc) Roc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        int n = scores.Count;
        long positives = labels.Count(l => l), negatives = n - positives;
        var points = new List<(double, double)> { (0, 0) };
        if (positives == 0 || negatives == 0)
            return (points, double.NaN);
        var order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ToArray();
        long tp = 0, fp = 0;
        double area = 0, lastX = 0, lastY = 0;
        for (int k = 0; k < n;)
        {
            int end = k;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[k]])
                end++;
            for (int i = k; i <= end; i++)
            {
                if (labels[order[i]]) tp++;
                else fp++;
            }
            double x = (double)fp / negatives, y = (double)tp / positives;
            area += (x - lastX) * (y + lastY) / 2;
            points.Add((x, y));
            (lastX, lastY) = (x, y);
            k = end + 1;
        }
        return (points, area);
    }

    /// <summary>
    /// A reliability diagram: the images binned by their probability into <paramref name="bins"/> equal-width bins, each
    /// bin's share of yes against its mean probability (a dot sized by the bin's images), the diagonal of a calibrated
    /// model, and the expected calibration error (the bins' gaps weighted by their images) in the title.
    /// </summary>
    /// <param name="probabilities">Each image's probability of yes, in [0, 1].</param>
    /// <param name="labels">Each image's truth.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="bins">Equal-width bins over [0, 1]. Defaults to 10.</param>
    /// <param name="size">Pixels across and down. Defaults to 560.</param>
    /// <exception cref="ArgumentException">The counts differ, or there are no images.</exception>
    public static Picture Reliability(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, string path, int bins = 10, int size = 560)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count || probabilities.Count == 0)
            throw new ArgumentException($"Expected one label per probability and at least one image; got {probabilities.Count} probabilities and {labels.Count} labels.", nameof(labels));
        var (meanProbability, shareYes, count, ece) = Calibration(probabilities, labels, bins);
        var model = Square(string.Create(Invariant, $"Reliability (expected calibration error {ece:F4})"), "mean probability in the bin", "share of yes in the bin");
        model.Series.Add(Diagonal("calibrated"));
        var dots = new ScatterSeries { Title = "bins (dot size: images)", MarkerType = MarkerType.Circle, MarkerFill = Charts.Blue };
        int most = count.Max();
        for (int b = 0; b < bins; b++)
        {
            if (count[b] > 0)
                dots.Points.Add(new ScatterPoint(meanProbability[b], shareYes[b], 3 + 9 * Math.Sqrt((double)count[b] / most)));
        }
        model.Series.Add(dots);
        return Write(model, path, size, size);
    }

    /// <summary>
    /// The expected calibration error of <paramref name="probabilities"/>: the images binned by probability into
    /// <paramref name="bins"/> equal-width bins, the mean over the bins, weighted by their images, of |share of yes -
    /// mean probability|. 0 is calibrated.
    /// </summary>
    /// <exception cref="ArgumentException">The counts differ, or there are no images.</exception>
    public static double ExpectedCalibrationError(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return ExpectedCalibrationError(probabilities.Select(p => (double)p).ToArray(), labels, bins);
    }

    /// <inheritdoc cref="ExpectedCalibrationError(IReadOnlyList{float}, IReadOnlyList{bool}, int)"/>
    public static double ExpectedCalibrationError(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count || probabilities.Count == 0 || bins < 1)
            throw new ArgumentException($"Expected one label per probability, at least one image and one bin; got {probabilities.Count} probabilities, {labels.Count} labels and {bins} bins.", nameof(labels));
        return Calibration(probabilities, labels, bins).Ece;
    }

    /// <summary>Each bin's mean probability, share of yes and images, and the expected calibration error over them.</summary>
    internal static (double[] MeanProbability, double[] ShareYes, int[] Count, double Ece) Calibration(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, int bins)
        => Calibration(probabilities.Select(p => (double)p).ToArray(), labels, bins);

    private static (double[] MeanProbability, double[] ShareYes, int[] Count, double Ece) Calibration(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, int bins)
    {
        var sum = new double[bins];
        var yes = new double[bins];
        var count = new int[bins];
        for (int i = 0; i < probabilities.Count; i++)
        {
            int b = Math.Clamp((int)(probabilities[i] * bins), 0, bins - 1);
            count[b]++;
            sum[b] += probabilities[i];
            yes[b] += labels[i] ? 1 : 0;
        }
        var mean = new double[bins];
        var share = new double[bins];
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            if (count[b] == 0)
                continue;
            mean[b] = sum[b] / count[b];
            share[b] = yes[b] / count[b];
            ece += count[b] * Math.Abs(share[b] - mean[b]);
        }
        return (mean, share, count, ece / probabilities.Count);
    }

    /// <summary>
    /// A regression's predicted values against the true ones, one dot per image, with the line where they are equal and
    /// the mean absolute error in the title.
    /// </summary>
    /// <param name="truth">Each image's label.</param>
    /// <param name="predicted">Each image's Score.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="size">Pixels across and down. Defaults to 560.</param>
    /// <exception cref="ArgumentException">The counts differ, or there are no images.</exception>
    public static Picture PredictedAgainstTrue(IReadOnlyList<float> truth, IReadOnlyList<float> predicted, string path, int size = 560)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count || truth.Count == 0)
            throw new ArgumentException($"Expected one prediction per label and at least one image; got {truth.Count} labels and {predicted.Count} predictions.", nameof(predicted));
        double mae = truth.Zip(predicted).Average(p => Math.Abs(p.First - p.Second));
        double low = Math.Min(truth.Min(), predicted.Min()), high = Math.Max(truth.Max(), predicted.Max());
        if (high == low)
            high = low + 1;
        var model = Square(string.Create(Invariant, $"Predicted against true (mean absolute error {mae:G4})"), "true", "predicted", low, high);
        var equal = new LineSeries { Title = "predicted = true", Color = Charts.Grey, LineStyle = LineStyle.Dash, StrokeThickness = 1.5 };
        equal.Points.Add(new DataPoint(low, low));
        equal.Points.Add(new DataPoint(high, high));
        model.Series.Add(equal);
        var dots = new ScatterSeries { Title = $"{truth.Count:N0} test images", MarkerType = MarkerType.Circle, MarkerSize = 2, MarkerFill = OxyColor.FromAColor(110, Charts.Blue) };
        dots.Points.AddRange(truth.Zip(predicted).Select(p => new ScatterPoint(p.First, p.Second)));
        model.Series.Add(dots);
        return Write(model, path, size, size);
    }

    private static PlotModel Square(string title, string x, string y, double low = 0, double high = 1)
    {
        var model = Charts.OverEpochs(title, y, low, high);
        var bottom = model.Axes.First(a => a.Position == AxisPosition.Bottom);
        bottom.Title = x;
        bottom.StringFormat = "G3";
        bottom.MajorStep = bottom.MinorStep = double.NaN;
        double pad = (high - low) * 0.02;
        bottom.Minimum = low - pad;
        bottom.Maximum = high + pad;
        var left = model.Axes.First(a => a.Position == AxisPosition.Left);
        left.Minimum = low - pad;
        left.Maximum = high + pad;
        return model;
    }

    private static LineSeries Diagonal(string title)
    {
        var line = new LineSeries { Title = title, Color = Charts.Grey, LineStyle = LineStyle.Dash, StrokeThickness = 1.5 };
        line.Points.Add(new DataPoint(0, 0));
        line.Points.Add(new DataPoint(1, 1));
        return line;
    }

    private static Picture Write(PlotModel model, string path, int width, int height)
    {
        using var bitmap = Charts.Render(model, width, height);
        PngFile.Write(bitmap, path);
        return new Picture(path, width, height, []);
    }
}
