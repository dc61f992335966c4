using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Plots;

/// <summary>
/// The report page of a binary model, a regression or a tagger (<see cref="ConvNetReport.Write"/>): the task's
/// metrics from ML.NET's evaluator of its catalog (<c>EvaluateMultiLabel</c> for tags), its pictures
/// (<see cref="TaskPlots"/>), saliency for the first test images, and the worst test images: the most confidently
/// wrong for a binary model, the largest errors for a regression, the most tags wrong for a tagger.
/// </summary>
internal static class TaskReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One test image: its pixels, its label as floats (0 or 1, a number, one per tag), the model's scores and predictions.</summary>
    private sealed record Row(float[] Features, float[] Truth, float[] Scores, float Probability, bool[] Predicted);

    public static ReportResult Write(ITransformer model, ConvNetTransformer convNet, IDataView testData, string directory, ReportOptions options)
    {
        var ml = new MLContext();
        var parameters = convNet.Model;
        var shape = parameters.InputShape;
        var task = convNet.Task;
        // The rows and the evaluator read the same scores: the network runs over the test data once.
        var scored = Scored(ml, model.Transform(testData), options.LabelColumnName, convNet);
        var rows = Read(scored, options.LabelColumnName, convNet);
        if (rows.Count == 0)
            throw new InvalidOperationException("The test data has no labelled rows; the report needs some to score.");
        Directory.CreateDirectory(directory);
        var pictures = new Dictionary<string, Picture>();
        string File(string name) => Path.Combine(directory, name + ".png");
        var metrics = new Dictionary<string, double>();
        string summary;
        Action<System.Text.StringBuilder, Action<string, string>> section;
        double headline;
        Func<Row, double> badness;
        Func<Row, int, string[]> caption;
        switch (task)
        {
            case BinaryClassificationTask:
            {
                var m = ml.BinaryClassification.Evaluate(scored, options.LabelColumnName, convNet.ScoreColumnName, "Probability", convNet.PredictedLabelColumnName);
                var labels = rows.Select(r => r.Truth[0] > 0.5f).ToArray();
                pictures["roc"] = TaskPlots.RocCurves([new RocInput("Score", rows.Select(r => r.Scores[0]).ToArray(), labels)], File("roc"));
                pictures["reliability"] = TaskPlots.Reliability(rows.Select(r => r.Probability).ToArray(), labels, File("reliability"));
                double ece = TaskPlots.ExpectedCalibrationError(rows.Select(r => r.Probability).ToArray(), labels);
                (metrics["AUC"], metrics["F1"], metrics["accuracy"], metrics["log-loss"], metrics["expected calibration error"]) = (m.AreaUnderRocCurve, m.F1Score, m.Accuracy, m.LogLoss, ece);
                headline = m.Accuracy;
                summary = string.Create(Invariant, $"Test data: {rows.Count:N0} labelled images ({labels.Count(l => l):N0} true). AUC <b>{m.AreaUnderRocCurve:F4}</b>, F1 {m.F1Score:F4}, accuracy {m.Accuracy:P2}, log-loss {m.LogLoss:F4}, expected calibration error {ece:F4}.");
                section = (b, image) =>
                {
                    b.Append("<h2>ROC and calibration</h2>\n<div class=\"pair\">");
                    image("roc", "roc");
                    image("reliability", "reliability");
                    b.AppendLine("</div>");
                };
                badness = r => r.Predicted[0] == r.Truth[0] > 0.5f ? -1 : Math.Abs(r.Probability - r.Truth[0]);
                caption = (r, i) => [$"#{i}: true {r.Truth[0] > 0.5f}", string.Create(Invariant, $"said {r.Predicted[0]}, p {r.Probability:F3}")];
                break;
            }
            case RegressionTask:
            {
                var m = ml.Regression.Evaluate(scored, options.LabelColumnName, convNet.ScoreColumnName);
                pictures["predicted"] = TaskPlots.PredictedAgainstTrue(rows.Select(r => r.Truth[0]).ToArray(), rows.Select(r => r.Scores[0]).ToArray(), File("predicted"));
                (metrics["MAE"], metrics["RMSE"], metrics["R2"]) = (m.MeanAbsoluteError, m.RootMeanSquaredError, m.RSquared);
                headline = double.NaN;
                summary = string.Create(Invariant, $"Test data: {rows.Count:N0} labelled images. Mean absolute error <b>{m.MeanAbsoluteError:G4}</b>, RMSE {m.RootMeanSquaredError:G4}, R² {m.RSquared:F4}.");
                section = (b, image) =>
                {
                    b.AppendLine("<h2>Predicted against true</h2>");
                    image("predicted", "predicted");
                };
                badness = r => Math.Abs(r.Scores[0] - r.Truth[0]);
                caption = (r, i) => [string.Create(Invariant, $"#{i}: true {r.Truth[0]:G4}"), string.Create(Invariant, $"said {r.Scores[0]:G4}")];
                break;
            }
            case MultiLabelClassificationTask tagger:
            {
                var m = ml.MulticlassClassification.EvaluateMultiLabel(scored, options.LabelColumnName, convNet.ScoreColumnName, convNet.PredictedLabelColumnName);
                var tags = tagger.TagNames;
                pictures["roc"] = TaskPlots.RocCurves(tags.Select((t, k) => new RocInput(t, rows.Select(r => r.Scores[k]).ToArray(), rows.Select(r => r.Truth[k] > 0.5f).ToArray())).ToList(), File("roc"));
                (metrics["macro AUC"], metrics["micro F1"], metrics["macro F1"], metrics["Hamming loss"], metrics["subset accuracy"]) = (m.MacroAuc, m.MicroF1, m.MacroF1, m.HammingLoss, m.SubsetAccuracy);
                headline = m.SubsetAccuracy;
                summary = string.Create(Invariant, $"Test data: {rows.Count:N0} labelled images, {tags.Count} tags. Micro F1 <b>{m.MicroF1:F4}</b>, macro F1 {m.MacroF1:F4}, macro AUC {m.MacroAuc:F4}, Hamming loss {m.HammingLoss:F4}, subset accuracy {m.SubsetAccuracy:P2}.");
                string Cell(double v) => double.IsNaN(v) ? "-" : v.ToString("F3", Invariant);
                string table = "<table><tr><th>tag</th><th>images with it</th><th>threshold</th><th>AUC</th><th>precision</th><th>recall</th><th>F1</th></tr>" +
                    string.Concat(m.PerTag.Select((t, k) => $"<tr><th>{ReportPage.E(t.Tag)}</th><td>{t.Positives:N0}</td><td>{tagger.Thresholds[k].ToString("F3", Invariant)}</td><td>{Cell(t.Auc)}</td><td>{Cell(t.Precision)}</td><td>{Cell(t.Recall)}</td><td>{Cell(t.F1)}</td></tr>")) + "</table>";
                section = (b, image) =>
                {
                    b.AppendLine("<h2>Tags</h2>");
                    image("roc", "roc");
                    b.AppendLine(table);
                };
                badness = r => r.Predicted.Where((p, k) => p != r.Truth[k] > 0.5f).Count();
                caption = (r, i) => [$"#{i}: has {Tags(tags, r.Truth.Select(t => t > 0.5f))}", $"said {Tags(tags, r.Predicted)}"];
                break;
            }
            default:
                throw new ArgumentException($"The model's task is {task.Name}; the report knows multiclass, binary, regression and tagging models.", nameof(model));
        }
        int chosen = ReportPage.CommonPictures(parameters, rows.Select(r => r.Features).ToList(), options, File, pictures);

        // Saliency of each image's first output (a tagger's: its most probable tag).
        var explained = rows.Take(Math.Max(0, options.SaliencyImages)).Select((r, i) =>
        {
            int output = task is MultiLabelClassificationTask ? Array.IndexOf(r.Scores, r.Scores.Max()) : 0;
            var text = caption(r, i);
            return new SaliencyExample(r.Features, parameters.GetSaliency(r.Features, output), parameters.GetGradCam(r.Features, output), text[0], text[1]);
        }).ToList();
        if (explained.Count > 0)
            pictures["saliency"] = ConvNetPlots.Saliency(explained, shape, File("saliency"));

        var worst = rows.Select((r, i) => (Row: r, Index: i, Badness: badness(r))).Where(x => x.Badness > 0)
            .OrderByDescending(x => x.Badness).Take(Math.Max(0, options.WrongImages)).ToList();
        if (worst.Count > 0)
        {
            string what = task is RegressionTask ? "largest errors" : task is BinaryClassificationTask ? "most confidently wrong" : "images with the most tags wrong";
            pictures["wrong"] = ConvNetPlots.Images(worst.Select(x => new LabelledImage(x.Row.Features, caption(x.Row, x.Index))).ToList(),
                shape, File("wrong"), $"The {worst.Count} {what} of {rows.Count:N0} test images");
        }

        string index = Path.Combine(directory, "index.html");
        string title = options.Title ?? $"{parameters.Architecture.Name}: training report ({task.Name})";
        string heading = task is RegressionTask ? "Largest errors" : task is BinaryClassificationTask ? "Most confidently wrong" : "Most tags wrong";
        string html = ReportPage.Build(title, convNet, summary, pictures, chosen, (heading, "No test image is wrong."), section);
        PngFile.Write(index, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(html)));
        return new ReportResult(index, pictures, headline) { Metrics = metrics };
    }

    /// <summary><paramref name="scored"/> cached with every column the page reads, filled in one pass.</summary>
    private static IDataView Scored(MLContext ml, IDataView scored, string labelColumn, ConvNetTransformer convNet)
    {
        var columns = new List<string> { labelColumn, convNet.FeatureColumnName, convNet.ScoreColumnName };
        if (convNet.Task is BinaryClassificationTask)
            columns.AddRange(["Probability", convNet.PredictedLabelColumnName]);
        if (convNet.Task is MultiLabelClassificationTask)
            columns.Add(convNet.PredictedLabelColumnName);
        if (scored.Schema.GetColumnOrNull(labelColumn) is null)
            return scored; // Read says what is missing
        return ml.Data.Cache(scored, [.. columns]);
    }

    private static string Tags(IReadOnlyList<string> tags, IEnumerable<bool> on)
    {
        var chosen = tags.Where((_, k) => on.ElementAt(k)).ToArray();
        return chosen.Length == 0 ? "none" : string.Join(" ", chosen);
    }

    private static List<Row> Read(IDataView scored, string labelColumn, ConvNetTransformer convNet)
    {
        var schema = scored.Schema;
        var task = convNet.Task;
        var label = schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentException($"The test data has no label column '{labelColumn}'; set ReportOptions.LabelColumnName.", nameof(labelColumn));
        var expected = task switch
        {
            BinaryClassificationTask => label.Type == BooleanDataViewType.Instance,
            RegressionTask => label.Type == NumberDataViewType.Single,
            _ => label.Type is VectorDataViewType { Size: var size, ItemType: var item } && size == convNet.NumberOfClasses && (item == BooleanDataViewType.Instance || item == NumberDataViewType.Single),
        };
        if (!expected)
            throw new ArgumentException($"The label column '{labelColumn}' must be the {task.Name} model's label (Boolean, Single, or a vector of {convNet.NumberOfClasses} tags); got {label.Type}.", nameof(labelColumn));
        var features = schema[convNet.FeatureColumnName];
        var score = schema[convNet.ScoreColumnName];
        var columns = new List<DataViewSchema.Column> { label, features, score };
        var probabilityColumn = task is BinaryClassificationTask ? schema["Probability"] : (DataViewSchema.Column?)null;
        if (probabilityColumn is { } p)
            columns.Add(p);
        if (task is MultiLabelClassificationTask)
            columns.Add(schema[convNet.PredictedLabelColumnName]);

        var rows = new List<Row>();
        using var cursor = scored.GetRowCursor(columns);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        Func<float[]> readLabel = label.Type switch
        {
            BooleanDataViewType => Scalar<bool>(cursor, label, v => v ? 1 : 0),
            NumberDataViewType => Scalar<float>(cursor, label, v => v),
            VectorDataViewType { ItemType: BooleanDataViewType } => Vector<bool>(cursor, label, v => v ? 1 : 0),
            _ => Vector<float>(cursor, label, v => v),
        };
        Func<float[]> readScores = task is MultiLabelClassificationTask ? Vector<float>(cursor, score, v => v) : Scalar<float>(cursor, score, v => v);
        Func<float[]>? readProbability = probabilityColumn is { } pc ? Scalar<float>(cursor, pc, v => v) : null;
        Func<float[]>? readPredicted = task is MultiLabelClassificationTask ? Vector<bool>(cursor, schema[convNet.PredictedLabelColumnName], v => v ? 1 : 0) : null;
        VBuffer<float> pixels = default;
        while (cursor.MoveNext())
        {
            var truth = readLabel();
            if (truth.Any(float.IsNaN))
                continue; // a missing label
            getFeatures(ref pixels);
            var scores = readScores();
            float probability = readProbability?.Invoke()[0] ?? float.NaN;
            bool[] predicted = readPredicted is not null ? readPredicted().Select(v => v > 0.5f).ToArray() : task is BinaryClassificationTask ? [scores[0] > 0] : [];
            rows.Add(new Row(pixels.DenseValues().ToArray(), truth, scores, probability, predicted));
        }
        return rows;
    }

    private static Func<float[]> Scalar<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, float> convert)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return [convert(value)];
        };
    }

    private static Func<float[]> Vector<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, float> convert)
    {
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        VBuffer<T> value = default;
        return () =>
        {
            getter(ref value);
            return value.DenseValues().Select(convert).ToArray();
        };
    }
}
