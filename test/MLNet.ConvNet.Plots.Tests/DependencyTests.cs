using System.Text.Json;

namespace MLNet.ConvNet.Plots.Tests;

/// <summary>Plotting stays out of the core library, and the plots need no package the core library does not already bring.</summary>
[TestClass]
public sealed class DependencyTests
{
    private static List<string> Libraries(string project, out List<string> direct)
    {
        string assets = Path.Combine(Fixture.RepoRoot, "src", project, "obj", "project.assets.json");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        direct = json.RootElement.GetProperty("project").GetProperty("frameworks").EnumerateObject().Single().Value.GetProperty("dependencies").EnumerateObject().Select(p => p.Name).ToList();
        return json.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
    }

    [TestMethod]
    public void TheCoreLibrary_KnowsNothingOfThePlots()
    {
        var references = typeof(ConvNetTransformer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        CollectionAssert.DoesNotContain(references, "MLNet.ConvNet.Plots");
        Assert.IsFalse(references.Any(r => r.Contains("Plot", StringComparison.OrdinalIgnoreCase)), string.Join(", ", references));
    }

    [TestMethod]
    public void ThePlots_AddOnlyOxyPlotAndItsTextShaping_AndNameTheLowestSkiaSharp()
    {
        // The dependencies NuGet resolved for each project are what its nuspec lists (.ci/run also reads the packed nuspecs).
        var core = Libraries("MLNet.ConvNet", out var coreDirect);
        var plots = Libraries("MLNet.ConvNet.Plots", out _);
        Assert.IsFalse(core.Any(l => l.Contains("Plot", StringComparison.OrdinalIgnoreCase)), "no plotting package in the core library's graph");
        CollectionAssert.Contains(coreDirect, "TorchSharp");
        Assert.IsFalse(core.Any(l => l.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase) || l == "TorchSharp-cpu"), "the application chooses libtorch's natives, CPU or CUDA");
        var added = plots.Except(core).Where(l => l != "MLNet.ConvNet").ToList();
        var allowed = new[] { "OxyPlot.Core", "OxyPlot.SkiaSharp", "SkiaSharp.HarfBuzz", "HarfBuzzSharp" };
        var unexpected = added.Where(l => !allowed.Contains(l) && !l.StartsWith("HarfBuzzSharp.NativeAssets.", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(0, unexpected.Count, "packages the plots add besides OxyPlot and HarfBuzz: " + string.Join(", ", unexpected));
        CollectionAssert.Contains(added, "OxyPlot.SkiaSharp");
        // Both libraries resolve the oldest versions they admit, as a package user's graph does until the user asks for more.
        foreach (var project in new[] { "MLNet.ConvNet", "MLNet.ConvNet.Plots" })
        {
            var versions = Versions(project);
            Assert.AreEqual("2.88.9", versions["SkiaSharp"], project);
            Assert.AreEqual("5.0.1", versions["Microsoft.ML"], project);
        }
    }

    private static Dictionary<string, string> Versions(string project)
    {
        string assets = Path.Combine(Fixture.RepoRoot, "src", project, "obj", "project.assets.json");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        return json.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')).ToDictionary(p => p[0], p => p[1]);
    }
}
