using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Native;

namespace MLNet.ConvNet.Tests.Native;

/// <summary>
/// An application built without the build step (its output keeps the unpatched libLibTorchSharp.so) must
/// still load libtorch: the library patches a copy into its cache at run time.
/// </summary>
[TestClass]
[TestCategory("Integration")] // runs a copied application as a process on MNIST
public sealed class RuntimeFallbackTests
{
    [TestMethod]
    public void OutputWithTheUnpatchedLibrary_StillScores_ThroughAPatchedCopyInTheCache()
    {
        string packaged = UnpatchedLibraryThatNeedsTheStep();

        string root = TestData.TempDirectory();
        try
        {
            string app = CopyOfTheExampleWithTheUnpatchedLibrary(root, packaged);
            string model = Path.Combine(root, "model.zip");
            var ml = new MLContext(1);
            var train = TestData.Train(ml, 256);
            var fitted = ml.MulticlassClassification.Trainers.ConvNet(architecture: "LeNot", epochs: 1).Fit(train);
            ml.Model.Save(fitted, train.Schema, model);
            var expected = fitted.Transform(TestData.Test(ml, 50)).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();

            string cache = Path.Combine(root, "cache");
            string scores = Path.Combine(root, "scores.bin");
            var (exitCode, errors) = Score(app, model, scores, new() { [LibTorchSharpFallback.CacheVariable] = cache });
            Assert.AreEqual(0, exitCode, errors);

            CollectionAssert.AreEqual(expected, MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(scores)).ToArray());
            var patched = Directory.GetFiles(cache, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
            Assert.IsTrue(LibStdCxxCompat.ReadVersionNeeds(File.ReadAllBytes(patched), patched).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
            string shipped = Path.Combine(app, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            CollectionAssert.AreEqual(File.ReadAllBytes(packaged), File.ReadAllBytes(shipped), "The application folder must not be modified.");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void WithoutThePatchAndWithTheFallbackOff_TheApplicationGetsOneClearErrorAndExitsNormally()
    {
        string packaged = UnpatchedLibraryThatNeedsTheStep();
        string root = TestData.TempDirectory();
        try
        {
            string app = CopyOfTheExampleWithTheUnpatchedLibrary(root, packaged);
            var ml = new MLContext(1);
            var train = TestData.Train(ml, 64);
            string model = Path.Combine(root, "model.zip");
            using (var fitted = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(train))
                ml.Model.Save(fitted, train.Schema, model);

            var (exitCode, errors) = Score(app, model, Path.Combine(root, "scores.bin"), new() { [LibTorchSharpFallback.SwitchVariable] = "0" });
            Assert.AreEqual(2, exitCode, "The example reports the library's error and exits with 2; an abort would give 134. " + errors);
            StringAssert.Contains(errors, "error: libtorch could not be loaded, so MLNet.ConvNet cannot train or score.");
            StringAssert.Contains(errors, "needs GLIBCXX_3.4.32, which the system libstdc++");
            StringAssert.Contains(errors, $"turned off by {LibTorchSharpFallback.SwitchVariable}=0");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The package's unpatched library, when this system needs the libstdc++ step at all; else the test is inconclusive.</summary>
    private static string UnpatchedLibraryThatNeedsTheStep()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("The libstdc++ step applies to Linux only.");
        if (LibStdCxxCompat.ReadDefinedVersions(LibStdCxxCompat.FindSystemLibStdCxx()).Contains("GLIBCXX_3.4.32"))
            Assert.Inconclusive("This system's libstdc++ has GLIBCXX_3.4.32; libtorch loads without the step.");
        string packaged = NativeLibraryTests.PackagedLibrary;
        if (!File.Exists(packaged))
            Assert.Inconclusive($"{packaged} is not in the package cache.");
        return packaged;
    }

    /// <summary>
    /// A copy of the example's output: managed files copied, the large native libraries linked, and
    /// libLibTorchSharp.so replaced by the package's unpatched original.
    /// </summary>
    private static string CopyOfTheExampleWithTheUnpatchedLibrary(string root, string packaged)
    {
        string app = Path.Combine(root, "app");
        string scorerDirectory = Path.GetDirectoryName(TestData.ScorerAssembly);
        foreach (var file in Directory.EnumerateFiles(scorerDirectory, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(app, Path.GetRelativePath(scorerDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target));
            if (Path.GetFileName(file) == "libLibTorchSharp.so")
                File.Copy(packaged, target);
            else if (file.EndsWith(".so", StringComparison.Ordinal) || file.Contains(".so.", StringComparison.Ordinal))
                File.CreateSymbolicLink(target, file);
            else
                File.Copy(file, target);
        }
        return app;
    }

    private static (int ExitCode, string Errors) Score(string app, string model, string scores, Dictionary<string, string> environment)
    {
        var (exitCode, _, errors) = TestData.Run(Path.Combine(app, Path.GetFileName(TestData.ScorerAssembly)), environment,
            "score", "--data", TestData.MnistDirectory, "--max-test-rows", "50", "--scores-out", scores, model);
        return (exitCode, errors);
    }
}
