using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML;

namespace MLNet.ConvNet.Plots;

/// <summary>
/// What every task's report page shares (<see cref="ConvNetReport"/>): the pictures of how the network trained and
/// what it sees (curves, the learning-rate search, first-layer filters, feature maps, augmentation), and the page
/// around the task's own section (metrics, then curves, the task's section, augmentation, filters, feature maps,
/// saliency, the worst test images, summary and history).
/// </summary>
internal static class ReportPage
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string E(string text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>The last ConvNet transformer in <paramref name="model"/> (itself, or in a chain).</summary>
    public static ConvNetTransformer? Find(ITransformer model) => model switch
    {
        ConvNetTransformer convNet => convNet,
        IEnumerable<ITransformer> chain => chain.Select(Find).LastOrDefault(t => t is not null),
        _ => null,
    };

    /// <summary>Adds the pictures every task's page has to <paramref name="pictures"/>; returns the test image whose feature maps are shown.</summary>
    public static int CommonPictures(ConvNetModelParameters parameters, IReadOnlyList<float[]> images, ReportOptions options, Func<string, string> file, Dictionary<string, Picture> pictures)
    {
        var shape = parameters.InputShape;
        if (parameters.History.Count > 0)
            pictures["curves"] = ConvNetPlots.TrainingCurves(parameters.History, parameters.FinalEpoch, file("curves"));
        if (options.LearningRateFinding is { } finding)
            pictures["learning-rate"] = ConvNetPlots.LearningRateCurve(finding, file("learning-rate"));
        if (parameters.GetWeights().FirstOrDefault(w => w.Shape.Count == 4) is { } firstConvolution)
            pictures["filters"] = ConvNetPlots.Filters(firstConvolution, file("filters"));

        int chosen = Math.Clamp(options.ActivationImage, 0, images.Count - 1);
        foreach (var layer in parameters.GetActivations(images[chosen]).Where(a => a.Shape.Count == 4 && (a.TypeName.Contains("Conv", StringComparison.Ordinal) || a.TypeName.Contains("Pool", StringComparison.Ordinal))))
            pictures["activations-" + layer.LayerName] = ConvNetPlots.ActivationMaps(layer, file("activations-" + layer.LayerName));

        if (parameters.Augmentation is { } augmentation)
        {
            // What the network was shown: a few test images, each with three draws of the model's augmentation.
            var samples = new List<LabelledImage>();
            foreach (var (image, i) in images.Take(6).Select((r, i) => (r, i)))
            {
                samples.Add(new LabelledImage(image, [$"#{i} as it is"]));
                var drawn = augmentation.Apply([.. Enumerable.Repeat(image, 3).SelectMany(f => f)], shape, seed: i);
                for (int k = 0; k < 3; k++)
                    samples.Add(new LabelledImage(drawn[(k * shape.Size)..((k + 1) * shape.Size)], [$"draw {k + 1}"]));
            }
            pictures["augmentation"] = ConvNetPlots.Images(samples, shape, file("augmentation"), $"What training showed the network: {augmentation}");
        }
        return chosen;
    }

    /// <summary>
    /// The page: <paramref name="metrics"/> (HTML) under the title, then the common sections around
    /// <paramref name="taskSection"/>, which writes the task's own with the image writer it is given.
    /// </summary>
    public static string Build(string title, ConvNetTransformer convNet, string metrics, Dictionary<string, Picture> pictures, int chosen, (string Heading, string None) worst,
        Action<StringBuilder, Action<string, string>> taskSection)
    {
        var model = convNet.Model;
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
        b.AppendLine($"<p>{metrics}</p>");
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
        taskSection(b, Image);
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
        b.AppendLine($"<h2>{E(worst.Heading)}</h2>");
        if (pictures.ContainsKey("wrong"))
            Image("wrong", worst.Heading.ToLowerInvariant());
        else
            b.AppendLine($"<p>{E(worst.None)}</p>");
        b.AppendLine("<h2>Summary</h2>");
        b.AppendLine($"<pre>{E(model.Summary)}</pre>");
        b.AppendLine("<h2>History</h2>");
        b.AppendLine("<table><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>validation loss</th><th>validation accuracy</th><th>learning rate</th><th>seconds</th><th>augmented</th></tr>");
        foreach (var h in model.History)
        {
            string mark = h.Epoch == model.FinalEpoch ? " style=\"font-weight:bold\"" : "";
            string accuracy = double.IsNaN(h.Accuracy) ? "-" : h.Accuracy.ToString("P2", Invariant);
            b.AppendLine(string.Create(Invariant, $"<tr{mark}><td>{h.Epoch}</td><td>{h.Loss:F4}</td><td>{accuracy}</td><td>{(h.ValidationLoss is double vl ? vl.ToString("F4", Invariant) : "-")}</td>" +
                $"<td>{(h.ValidationAccuracy is double va ? va.ToString("P2", Invariant) : "-")}</td><td>{h.LearningRate:G4}</td><td>{h.Seconds:F1}</td><td>{(h.Augmented ? "yes" : "no")}</td></tr>"));
        }
        b.AppendLine("</table>");
        b.AppendLine($"<p class=\"note\">The model holds the weights of epoch {model.FinalEpoch} (in bold). Written by MLNet.ConvNet.Plots.</p>");
        b.AppendLine("</body></html>");
        return b.ToString();
    }
}
