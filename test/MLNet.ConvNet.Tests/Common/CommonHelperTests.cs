using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Tests.Common;

/// <summary>The one helper each for atomic writes, the per-user cache folder and exception chains.</summary>
[TestClass]
public sealed class CommonHelperTests
{
    [TestMethod]
    public void AtomicFile_ReplacesTheFileWhole_OnlyWhenTheWriterSucceeds()
    {
        string folder = TestData.TempDirectory();
        string path = Path.Combine(folder, "data.bin");
        File.WriteAllText(path, "old");

        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half"u8);
            throw new InvalidOperationException("the writer failed half way");
        }));
        Assert.AreEqual("old", File.ReadAllText(path));

        Assert.IsFalse(AtomicFile.Write(path, temporary => { File.WriteAllText(temporary, "rejected"); return false; }));
        Assert.AreEqual("old", File.ReadAllText(path));

        AtomicFile.Write(path, stream => stream.Write("new"u8));
        Assert.AreEqual("new", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { "data.bin" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray(), "no temporary file is left behind");
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void AtomicFile_GivesTheWriterATemporaryNameWithTheEndingItAsksFor()
    {
        string folder = TestData.TempDirectory();
        string seen = null;
        AtomicFile.Write(Path.Combine(folder, "digit.png"), temporary => { seen = temporary; File.WriteAllText(temporary, "x"); return true; }, extension: ".png");
        Assert.AreEqual(folder, Path.GetDirectoryName(seen), "beside the target, so the rename stays on one file system");
        Assert.IsTrue(Path.GetFileName(seen).StartsWith(".digit.png.", StringComparison.Ordinal) && seen.EndsWith(".png", StringComparison.Ordinal), seen);
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void UserCache_FollowsXdgCacheHome()
    {
        string before = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/somewhere/cache");
            Assert.AreEqual(Path.Combine("/somewhere/cache", "mlnet-convnet", "mnist"), UserCache.Directory("mnist"));
            Assert.AreEqual(UserCache.Directory("mnist"), MLNet.ConvNet.Data.MnistSource.DefaultCacheDirectory);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            if (!OperatingSystem.IsWindows())
                Assert.AreEqual(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlnet-convnet", "native"), UserCache.Directory("native"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", before);
        }
    }

    [TestMethod]
    public void ExceptionChain_FindsTheDeepestCause_AndListsEachMessageOnce()
    {
        var deepest = new IOException("disk full ");
        var chain = new InvalidOperationException("outer", new TypeInitializationException("Some.Type", new AggregateException("several", new ArgumentException("first"), deepest)));
        Assert.AreSame(deepest, ExceptionChain.Innermost(new InvalidOperationException("x", new Exception("y", deepest))));
        CollectionAssert.AreEqual(new[] { "outer", "first", "disk full" }, ExceptionChain.Messages(chain).ToArray());
    }
}
