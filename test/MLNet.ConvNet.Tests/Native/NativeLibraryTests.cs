using MLNet.ConvNet.Native;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Native;

[TestClass]
public sealed class NativeLibraryTests
{
    internal static string PackagedLibrary => Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [TestMethod]
    public void Libtorch_LoadsAndRunsAConvolution()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var output = torch.nn.Conv2d(1, 4, 3).forward(torch.ones(2, 1, 28, 28));
        CollectionAssert.AreEqual(new long[] { 2, 4, 26, 26 }, output.shape);
    }

    [TestMethod]
    public void OutputCopy_IsPatchedExactlyWhenTheSystemLibStdCxxLacksGlibcxx3432()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("The libstdc++ step applies to Linux only.");
        string system = LibStdCxxCompat.FindSystemLibStdCxx();
        bool systemHasIt = LibStdCxxCompat.ReadDefinedVersions(system).Contains("GLIBCXX_3.4.32");
        string copy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var need = LibStdCxxCompat.ReadVersionNeeds(File.ReadAllBytes(copy), copy).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.AreEqual(!systemHasIt, need.IsWeak);
    }

    [TestMethod]
    public void PackageCache_IsNeverModified()
    {
        if (!File.Exists(PackagedLibrary))
            Assert.Inconclusive($"{PackagedLibrary} is not in the package cache.");
        var need = LibStdCxxCompat.ReadVersionNeeds(File.ReadAllBytes(PackagedLibrary), PackagedLibrary).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.IsFalse(need.IsWeak);
        CollectionAssert.AreEqual(new[] { "_ZSt21ios_base_library_initv" }, need.Symbols);
        Assert.AreEqual(0, need.RelocatedSymbols.Count);
    }

    /// <summary>Runs <paramref name="test"/> on a fresh copy of the packaged library, in a folder deleted afterwards.</summary>
    private static void WithPackagedCopy(Action<string> test)
    {
        if (!File.Exists(PackagedLibrary))
            Assert.Inconclusive($"{PackagedLibrary} is not in the package cache.");
        string directory = TestData.TempDirectory();
        try
        {
            string copy = Path.Combine(directory, "libLibTorchSharp.so");
            File.Copy(PackagedLibrary, copy);
            test(copy);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Patch_WeakensOnlyTheMissingAnchorVersion_AndIsIdempotent() => WithPackagedCopy(copy =>
    {
        // What Debian 12's libstdc++ (GCC 12) defines: everything up to GLIBCXX_3.4.30 and CXXABI_1.3.13.
        var debian12 = Enumerable.Range(0, 31).Select(i => $"GLIBCXX_3.4.{i}").Append("GLIBCXX_3.4")
            .Concat(Enumerable.Range(1, 13).Select(i => $"CXXABI_1.3.{i}")).Append("CXXABI_1.3").ToHashSet();

        Assert.AreEqual(LibStdCxxCompat.PatchOutcome.Patched, LibStdCxxCompat.PatchFile(copy, debian12));
        var needs = LibStdCxxCompat.ReadVersionNeeds(File.ReadAllBytes(copy), copy);
        Assert.IsTrue(needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.IsTrue(needs.Where(n => n.Version != "GLIBCXX_3.4.32").All(n => !n.IsWeak));
        Assert.AreEqual(new FileInfo(PackagedLibrary).Length, new FileInfo(copy).Length);

        Assert.AreEqual(LibStdCxxCompat.PatchOutcome.AlreadyPatched, LibStdCxxCompat.PatchFile(copy, debian12));
        debian12.Add("GLIBCXX_3.4.32");
        File.Copy(PackagedLibrary, copy, overwrite: true);
        Assert.AreEqual(LibStdCxxCompat.PatchOutcome.NotNeeded, LibStdCxxCompat.PatchFile(copy, debian12));
    });

    [TestMethod]
    public void Patch_RefusesToWeakenAVersionThatRealCodeUses() => WithPackagedCopy(copy =>
    {
        var tooOld = Enumerable.Range(0, 29).Select(i => $"GLIBCXX_3.4.{i}").Concat(Enumerable.Range(1, 13).Select(i => $"CXXABI_1.3.{i}")).ToHashSet();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => LibStdCxxCompat.PatchFile(copy, tooOld));
        StringAssert.Contains(error.Message, "GLIBCXX_3.4.3");
        StringAssert.Contains(error.Message, "really uses");
        CollectionAssert.AreEqual(File.ReadAllBytes(PackagedLibrary), File.ReadAllBytes(copy), "A refused patch must leave the file as it was.");
    });
}
