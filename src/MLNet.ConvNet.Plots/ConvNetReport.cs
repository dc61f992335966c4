using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Plots;

/// <summary>Settings for <see cref="ConvNetReport.Write"/>.</summary>
public sealed class ReportOptions
{
    /// <summary>The test data's label column, a key like the training label. Defaults to "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The page's heading. Defaults to the architecture's name.</summary>
    public string? Title { get; set; }

    /// <summary>The test image (row index) whose feature maps are shown. Defaults to 0.</summary>
    public int ActivationImage { get; set; }

    /// <summary>How many test images (the first ones) get saliency and Grad-CAM maps. Defaults to 6.</summary>
    public int SaliencyImages { get; set; } = 6;

    /// <summary>How many of the most confidently wrong test images to show. Defaults to 24.</summary>
    public int WrongImages { get; set; } = 24;

    /// <summary>A learning-rate search to show (<c>trainer.FindLearningRate</c>), as the picture "learning-rate". Defaults to null: none.</summary>
    public LearningRateFinding? LearningRateFinding { get; set; }
}

/// <summary>What <see cref="ConvNetReport.Write"/> wrote.</summary>
/// <param name="IndexPath">The HTML page.</param>
/// <param name="Pictures">Every PNG it shows, by name ("curves", "confusion", "confusion-normalized", "filters", "activations-LAYER", "saliency", "wrong", "augmentation" for a model trained with one, and "learning-rate" when ReportOptions.LearningRateFinding is set).</param>
/// <param name="MicroAccuracy">The test accuracy it reports: a classifier's; a tagger's subset accuracy (every tag right); NaN for a regression.</param>
public sealed record ReportResult(string IndexPath, IReadOnlyDictionary<string, Picture> Pictures, double MicroAccuracy)
{
    /// <summary>The test metrics on the page, by name (such as "AUC", "F1", "MAE", "macro F1"); empty for a multiclass model, whose are <see cref="MicroAccuracy"/> and the confusion matrix.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// One page about a fitted or loaded model: its summary, how it was trained, its history, its test metrics, and the
/// pictures of <see cref="ConvNetPlots"/>: curves, confusion heatmaps, first-layer filters, the feature maps of every
/// convolution and pooling layer for one image, saliency and Grad-CAM, and the most confidently wrong test images.
/// A model of another task gets its task's metrics and pictures in place of the confusion matrix
/// (<see cref="TaskPlots"/>): a binary model ROC and reliability, a regression predicted against true, a tagger a ROC
/// curve per tag and a table of the tags' metrics; and its worst test images.
/// The page is self-contained: PNG files beside it, inline CSS, no scripts and nothing fetched from elsewhere.
/// </summary>
public static class ConvNetReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Scores <paramref name="testData"/> with <paramref name="model"/> and writes the report into <paramref name="directory"/>.</summary>
    /// <param name="model">A <see cref="ConvNetTransformer"/>, or a chain that holds one (as <c>pipeline.Fit</c> and <c>mlContext.Model.Load</c> return).</param>
    /// <param name="testData">Labelled data the model can score (the columns it was trained on; the label of the model's task: a key, a Boolean, a Single or a vector of tags).</param>
    /// <param name="directory">The folder for index.html and the PNG files; created if missing.</param>
    /// <param name="options">What to show. Defaults to <c>new ReportOptions()</c>.</param>
    /// <exception cref="ArgumentException">The model holds no ConvNet transformer, or the label column is missing or not of the model's task.</exception>
    /// <exception cref="InvalidOperationException">The test data has no rows.</exception>
    public static ReportResult Write(ITransformer model, IDataView testData, string directory, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(testData);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new ReportOptions();
        var convNet = ReportPage.Find(model) ?? throw new ArgumentException($"The model holds no ConvNetTransformer; got {model.GetType().Name}. Pass the fitted pipeline or the model loaded from its .zip.", nameof(model));
        if (convNet.Task is not MulticlassClassificationTask)
            return TaskReport.Write(model, convNet, testData, directory, options);
        var parameters = convNet.Model;
        var shape = parameters.InputShape;
        var scored = model.Transform(testData);
        var rows = Read(scored, options.LabelColumnName, convNet, out var classNames);
        if (rows.Count == 0)
            throw new InvalidOperationException("The test data has no labelled rows; the report needs some to score.");
        Directory.CreateDirectory(directory);
        var pictures = new Dictionary<string, Picture>();
        string File(string name) => Path.Combine(directory, name + ".png");

        int classes = classNames.Count;
        var counts = Enumerable.Range(0, classes).Select(_ => new double[classes]).ToArray();
        double logLoss = 0;
        foreach (var row in rows)
        {
            counts[row.Label][row.Predicted]++;
            logLoss -= Math.Log(Math.Max(row.Scores[row.Label], 1e-15));
        }
        double micro = rows.Count(r => r.Label == r.Predicted) / (double)rows.Count;
        // Per class: recall (the share of its images found) and precision (the share of its predictions that are right).
        var perClass = Enumerable.Range(0, classes).Select(c => counts[c].Sum() > 0 ? counts[c][c] / counts[c].Sum() : double.NaN).ToArray();
        var precision = Enumerable.Range(0, classes).Select(c => counts.Sum(row => row[c]) is > 0 and var predicted ? counts[c][c] / predicted : double.NaN).ToArray();
        double macro = perClass.Where(double.IsFinite).Average();

        pictures["confusion"] = ConvNetPlots.ConfusionHeatmap(counts, classNames, File("confusion"));
        pictures["confusion-normalized"] = ConvNetPlots.ConfusionHeatmap(counts, classNames, File("confusion-normalized"), normalizeRows: true);
        int chosen = ReportPage.CommonPictures(parameters, rows.Select(r => r.Features).ToList(), options, File, pictures);

        var explained = rows.Take(Math.Max(0, options.SaliencyImages)).Select(r => new SaliencyExample(r.Features,
            parameters.GetSaliency(r.Features, r.Predicted), parameters.GetGradCam(r.Features, r.Predicted), classNames[r.Label], classNames[r.Predicted])).ToList();
        if (explained.Count > 0)
            pictures["saliency"] = ConvNetPlots.Saliency(explained, shape, File("saliency"));

        var wrong = rows.Select((r, i) => (Row: r, Index: i)).Where(x => x.Row.Label != x.Row.Predicted)
            .OrderByDescending(x => x.Row.Scores[x.Row.Predicted]).Take(Math.Max(0, options.WrongImages)).ToList();
        if (wrong.Count > 0)
        {
            pictures["wrong"] = ConvNetPlots.Images(wrong.Select(x => new LabelledImage(x.Row.Features,
                [$"#{x.Index}: true {classNames[x.Row.Label]}", string.Create(Invariant, $"said {classNames[x.Row.Predicted]} {x.Row.Scores[x.Row.Predicted]:P1}")])).ToList(),
                shape, File("wrong"), $"The {wrong.Count} most confidently wrong of {rows.Count - rows.Count(r => r.Label == r.Predicted):N0} misclassified test images");
        }

        string index = Path.Combine(directory, "index.html");
        string html = Html(options.Title ?? $"{parameters.Architecture.Name}: training report", convNet, rows.Count, micro, macro, logLoss / rows.Count, classNames, perClass, precision, pictures, chosen);
        PngFile.Write(index, stream => stream.Write(Encoding.UTF8.GetBytes(html)));
        return new ReportResult(index, pictures, micro);
    }

    private sealed record Row(float[] Features, int Label, int Predicted, float[] Scores);


    private static List<Row> Read(IDataView scored, string labelColumn, ConvNetTransformer convNet, out IReadOnlyList<string> classNames)
    {
        var schema = scored.Schema;
        var label = schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentException($"The test data has no label column '{labelColumn}'; set ReportOptions.LabelColumnName.", nameof(labelColumn));
        if (label.Type is not KeyDataViewType { RawType: var keyType } || keyType != typeof(uint))
            throw new ArgumentException($"The label column '{labelColumn}' must be a key (as MapValueToKey makes it, like the training label); got {label.Type}.", nameof(labelColumn));
        var score = schema[convNet.ScoreColumnName];
        var features = schema[convNet.FeatureColumnName];
        int classes = convNet.NumberOfClasses;
        VBuffer<ReadOnlyMemory<char>> names = default;
        if (score.HasSlotNames())
            score.GetSlotNames(ref names);
        var slotNames = names.DenseValues().Select(n => n.ToString()).ToList();
        classNames = slotNames.Count == classes && slotNames.All(n => n.Length > 0) ? slotNames : Enumerable.Range(0, classes).Select(i => i.ToString(Invariant)).ToList();

        var rows = new List<Row>();
        using var cursor = scored.GetRowCursor([label, score, features]);
        var getLabel = cursor.GetGetter<uint>(label);
        var getScore = cursor.GetGetter<VBuffer<float>>(score);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        uint key = 0;
        VBuffer<float> scores = default, pixels = default;
        while (cursor.MoveNext())
        {
            getLabel(ref key);
            if (key == 0 || key > classes)
                continue; // a missing label, or one the model has no class for
            getScore(ref scores);
            getFeatures(ref pixels);
            var s = scores.DenseValues().ToArray();
            int predicted = Array.IndexOf(s, s.Max());
            rows.Add(new Row(pixels.DenseValues().ToArray(), (int)key - 1, predicted, s));
        }
        return rows;
    }

    private static string Html(string title, ConvNetTransformer convNet, int rows, double micro, double macro, double logLoss, IReadOnlyList<string> classNames,
        double[] perClass, double[] precision, Dictionary<string, Picture> pictures, int chosen)
    {
        string metrics = $"Test data: {rows:N0} labelled images. Micro-accuracy <b>{micro:P2}</b>, macro-accuracy {macro:P2}, log-loss {logLoss.ToString("F4", Invariant)}.";
        return ReportPage.Build(title, convNet, metrics, pictures, chosen, ("Most confidently wrong", "No test image is misclassified."), (b, image) =>
        {
            b.AppendLine("<h2>Confusion matrix</h2>");
            b.AppendLine("<div class=\"pair\">");
            image("confusion", "confusion matrix, counts");
            image("confusion-normalized", "confusion matrix, share of each true class");
            b.AppendLine("</div>");
            b.AppendLine("<table><tr><th>class</th>" + string.Concat(classNames.Select(n => $"<th>{ReportPage.E(n)}</th>")) + "</tr>");
            string Cells(IEnumerable<double> values) => string.Concat(values.Select(a => $"<td>{(double.IsFinite(a) ? a.ToString("P1", Invariant) : "-")}</td>"));
            b.AppendLine($"<tr><th title=\"of a class's test images, the share predicted as that class\">recall</th>{Cells(perClass)}</tr>");
            b.AppendLine($"<tr><th title=\"of the images predicted as a class, the share that are\">precision</th>{Cells(precision)}</tr></table>");
        });
    }
}
