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
/// <param name="MicroAccuracy">The test accuracy it reports.</param>
public sealed record ReportResult(string IndexPath, IReadOnlyDictionary<string, Picture> Pictures, double MicroAccuracy);

/// <summary>
/// One page about a fitted or loaded model: its summary, how it was trained, its history, its test metrics, and the
/// pictures of <see cref="ConvNetPlots"/>: curves, confusion heatmaps, first-layer filters, the feature maps of every
/// convolution and pooling layer for one image, saliency and Grad-CAM, and the most confidently wrong test images.
/// The page is self-contained: PNG files beside it, inline CSS, no scripts and nothing fetched from elsewhere.
/// </summary>
public static class ConvNetReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Scores <paramref name="testData"/> with <paramref name="model"/> and writes the report into <paramref name="directory"/>.</summary>
    /// <param name="model">A <see cref="ConvNetTransformer"/>, or a chain that holds one (as <c>pipeline.Fit</c> and <c>mlContext.Model.Load</c> return).</param>
    /// <param name="testData">Labelled data the model can score (the columns it was trained on).</param>
    /// <param name="directory">The folder for index.html and the PNG files; created if missing.</param>
    /// <param name="options">What to show. Defaults to <c>new ReportOptions()</c>.</param>
    /// <exception cref="ArgumentException">The model holds no ConvNet transformer, or the label column is missing or not a key.</exception>
    /// <exception cref="InvalidOperationException">The test data has no rows.</exception>
    public static ReportResult Write(ITransformer model, IDataView testData, string directory, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(testData);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new ReportOptions();
        var convNet = Find(model) ?? throw new ArgumentException($"The model holds no ConvNetTransformer; got {model.GetType().Name}. Pass the fitted pipeline or the model loaded from its .zip.", nameof(model));
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

        if (parameters.History.Count > 0)
            pictures["curves"] = ConvNetPlots.TrainingCurves(parameters.History, parameters.FinalEpoch, File("curves"));
        if (options.LearningRateFinding is { } finding)
            pictures["learning-rate"] = ConvNetPlots.LearningRateCurve(finding, File("learning-rate"));
        pictures["confusion"] = ConvNetPlots.ConfusionHeatmap(counts, classNames, File("confusion"));
        pictures["confusion-normalized"] = ConvNetPlots.ConfusionHeatmap(counts, classNames, File("confusion-normalized"), normalizeRows: true);
        if (parameters.GetWeights().FirstOrDefault(w => w.Shape.Count == 4) is { } firstConvolution)
            pictures["filters"] = ConvNetPlots.Filters(firstConvolution, File("filters"));

        int chosen = Math.Clamp(options.ActivationImage, 0, rows.Count - 1);
        foreach (var layer in parameters.GetActivations(rows[chosen].Features).Where(a => a.Shape.Count == 4 && (a.TypeName.Contains("Conv", StringComparison.Ordinal) || a.TypeName.Contains("Pool", StringComparison.Ordinal))))
            pictures["activations-" + layer.LayerName] = ConvNetPlots.ActivationMaps(layer, File("activations-" + layer.LayerName));

        if (parameters.Augmentation is { } augmentation)
        {
            // What the network was shown: a few test images, each with four draws of the model's augmentation.
            var samples = new List<LabelledImage>();
            foreach (var (row, i) in rows.Take(6).Select((r, i) => (r, i)))
            {
                samples.Add(new LabelledImage(row.Features, [$"#{i} as it is"]));
                var drawn = augmentation.Apply([.. Enumerable.Repeat(row.Features, 3).SelectMany(f => f)], shape, seed: i);
                for (int k = 0; k < 3; k++)
                    samples.Add(new LabelledImage(drawn[(k * shape.Size)..((k + 1) * shape.Size)], [$"draw {k + 1}"]));
            }
            pictures["augmentation"] = ConvNetPlots.Images(samples, shape, File("augmentation"), $"What training showed the network: {augmentation}");
        }

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

    private static ConvNetTransformer? Find(ITransformer model) => model switch
    {
        ConvNetTransformer convNet => convNet,
        IEnumerable<ITransformer> chain => chain.Select(Find).LastOrDefault(t => t is not null),
        _ => null,
    };

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
        var model = convNet.Model;
        static string E(string text) => WebUtility.HtmlEncode(text ?? "");
        var b = new StringBuilder();
        b.AppendLine("<!DOCTYPE html>");
        b.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        b.AppendLine($"<title>{E(title)}</title>");
        b.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:24px auto;padding:0 16px;color:#222}" +
            "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}pre{background:#f6f6f6;padding:10px;overflow:auto;font-size:12px}" +
            "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f0f0f0}" +
            "img{max-width:100%;height:auto;border:1px solid #eee;display:block;margin:8px 0}.note{color:#555;font-size:13px}" +
            ".pair{display:flex;gap:12px}.pair img{width:calc(50% - 6px);min-width:0}</style>");
        b.AppendLine("</head><body>");
        b.AppendLine($"<h1>{E(title)}</h1>");
        b.AppendLine($"<p>Test data: {rows:N0} labelled images. Micro-accuracy <b>{micro:P2}</b>, macro-accuracy {macro:P2}, log-loss {logLoss.ToString("F4", Invariant)}.</p>");
        b.AppendLine($"<p class=\"note\">Trained: {E(model.TrainingSettings ?? "not recorded (a model saved before format 0x00010004)")}.</p>");

        void Image(string key, string alt)
        {
            if (pictures.TryGetValue(key, out var p))
                b.AppendLine($"<img src=\"{E(Path.GetFileName(p.Path))}\" width=\"{p.Width}\" height=\"{p.Height}\" alt=\"{E(alt)}\">");
        }
        b.AppendLine("<h2>Training curves</h2>");
        if (pictures.ContainsKey("curves"))
            Image("curves", "loss and accuracy per epoch");
        else
            b.AppendLine("<p>The model has no training history.</p>");
        if (pictures.ContainsKey("learning-rate"))
        {
            b.AppendLine("<h2>Learning-rate search</h2>");
            Image("learning-rate", "smoothed loss against the learning rate, with the suggested rate");
        }
        b.AppendLine("<h2>Confusion matrix</h2>");
        b.AppendLine("<div class=\"pair\">");
        Image("confusion", "confusion matrix, counts");
        Image("confusion-normalized", "confusion matrix, share of each true class");
        b.AppendLine("</div>");
        b.AppendLine("<table><tr><th>class</th>" + string.Concat(classNames.Select(n => $"<th>{E(n)}</th>")) + "</tr>");
        string Cells(IEnumerable<double> values) => string.Concat(values.Select(a => $"<td>{(double.IsFinite(a) ? a.ToString("P1", Invariant) : "-")}</td>"));
        b.AppendLine($"<tr><th title=\"of a class's test images, the share predicted as that class\">recall</th>{Cells(perClass)}</tr>");
        b.AppendLine($"<tr><th title=\"of the images predicted as a class, the share that are\">precision</th>{Cells(precision)}</tr></table>");
        if (pictures.ContainsKey("augmentation"))
        {
            b.AppendLine("<h2>Augmentation</h2>");
            Image("augmentation", "test images with draws of the training augmentation");
        }
        b.AppendLine("<h2>First-layer filters</h2>");
        Image("filters", "the first convolution layer's filters");
        b.AppendLine($"<h2>Feature maps of test image #{chosen}</h2>");
        foreach (var key in pictures.Keys.Where(k => k.StartsWith("activations-", StringComparison.Ordinal)))
            Image(key, $"feature maps of {key["activations-".Length..]}");
        b.AppendLine("<h2>Saliency and Grad-CAM</h2>");
        Image("saliency", "saliency and Grad-CAM overlays");
        b.AppendLine("<h2>Most confidently wrong</h2>");
        if (pictures.ContainsKey("wrong"))
            Image("wrong", "the most confidently wrong test images");
        else
            b.AppendLine("<p>No test image is misclassified.</p>");
        b.AppendLine("<h2>Summary</h2>");
        b.AppendLine($"<pre>{E(model.Summary)}</pre>");
        b.AppendLine("<h2>History</h2>");
        b.AppendLine("<table><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>validation loss</th><th>validation accuracy</th><th>learning rate</th><th>seconds</th><th>augmented</th></tr>");
        foreach (var h in model.History)
        {
            string mark = h.Epoch == model.FinalEpoch ? " style=\"font-weight:bold\"" : "";
            b.AppendLine(string.Create(Invariant, $"<tr{mark}><td>{h.Epoch}</td><td>{h.Loss:F4}</td><td>{h.Accuracy:P2}</td><td>{(h.ValidationLoss is double vl ? vl.ToString("F4", Invariant) : "-")}</td>" +
                $"<td>{(h.ValidationAccuracy is double va ? va.ToString("P2", Invariant) : "-")}</td><td>{h.LearningRate:G4}</td><td>{h.Seconds:F1}</td><td>{(h.Augmented ? "yes" : "no")}</td></tr>"));
        }
        b.AppendLine("</table>");
        b.AppendLine($"<p class=\"note\">The model holds the weights of epoch {model.FinalEpoch} (in bold). Written by MLNet.ConvNet.Plots.</p>");
        b.AppendLine("</body></html>");
        return b.ToString();
    }
}
