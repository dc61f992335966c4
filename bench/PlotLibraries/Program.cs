// The report's two charts (training curves, confusion heatmap) from MLNet.ConvNet.Plots (OxyPlot) and drawn again with
// ScottPlot 5, from one real training run: the time to draw each (median of 20), the PNGs side by side, and the
// libraries' sizes. docs/report.md gives the figures and the choice they led to.
using System.Diagnostics;
using Microsoft.ML;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Plots;

string mnist = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "mnist");
string output = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine("bench", "results", "plot-libraries"));
Directory.CreateDirectory(output);

var ml = new MLContext(seed: 1);
var train = MnistDataset.Load(ml, mnist, MnistSplit.Train, maxRows: 3000);
var test = MnistDataset.Load(ml, mnist, MnistSplit.Test, maxRows: 1000);
using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "SimpleConvNet", Epochs = 5, ValidationFraction = 0.1, Seed = 1 }).Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
var counts = metrics.ConfusionMatrix.Counts;
var classes = Enumerable.Range(0, 10).Select(i => i.ToString()).ToList();
var history = model.History;

double Median(Action draw)
{
    draw(); // the first call loads fonts and natives
    var times = new List<double>();
    for (int i = 0; i < 20; i++)
    {
        var watch = Stopwatch.StartNew();
        draw();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return (times[9] + times[10]) / 2;
}

var rows = new List<(string Library, string Chart, double Milliseconds, string File)>();
void Measure(string library, string chart, string file, Action<string> draw)
{
    string path = Path.Combine(output, file);
    rows.Add((library, chart, Median(() => draw(path)), path));
}

Measure("OxyPlot 2.2 (MLNet.ConvNet.Plots)", "training curves", "oxyplot-curves.png", path => ConvNetPlots.TrainingCurves(history, model.FinalEpoch, path));
Measure("OxyPlot 2.2 (MLNet.ConvNet.Plots)", "confusion heatmap", "oxyplot-confusion.png", path => ConvNetPlots.ConfusionHeatmap(counts, classes, path));
Measure("ScottPlot 5.1.59", "training curves", "scottplot-curves.png", path => ScottPlotCharts.TrainingCurves(history, model.FinalEpoch, path));
Measure("ScottPlot 5.1.59", "confusion heatmap", "scottplot-confusion.png", path => ScottPlotCharts.ConfusionHeatmap(counts, classes, path));

static long Size(params Type[] types) => types.Select(t => new FileInfo(t.Assembly.Location).Length).Sum();
Console.WriteLine($"SimpleConvNet, 5 epochs on 3,000 MNIST images, {metrics.MicroAccuracy:P2} on 1,000; SkiaSharp {typeof(SkiaSharp.SKBitmap).Assembly.GetName().Version}");
Console.WriteLine();
Console.WriteLine("| library | chart | milliseconds to draw and write (median of 20) | file |");
Console.WriteLine("|---|---|---|---|");
foreach (var row in rows)
    Console.WriteLine($"| {row.Library} | {row.Chart} | {row.Milliseconds:F1} | {Path.GetFileName(row.File)} |");
Console.WriteLine();
Console.WriteLine($"managed assemblies: OxyPlot.Core + OxyPlot.SkiaSharp {Size(typeof(OxyPlot.PlotModel), typeof(OxyPlot.SkiaSharp.PngExporter)) / 1024:N0} KiB; ScottPlot {Size(typeof(ScottPlot.Plot)) / 1024:N0} KiB");
Console.WriteLine($"pictures in {output}");
