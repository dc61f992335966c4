using Microsoft.ML;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>
/// The download path against a loopback server. The test split is used because the shared folder holds
/// the official t10k files, whose official checksums the downloader checks.
/// </summary>
[TestClass]
[TestCategory("Integration")] // serves the MNIST files over loopback
public sealed class DownloadTests
{
    private static LoopbackMirror _server;
    private string _cache;
    private string _savedEnvironment;

    [ClassInitialize]
    public static void StartServer(TestContext context)
    {
        _mnist = TestData.MnistDirectory; // read before the tests clear MNIST_DATA
        _server = new LoopbackMirror(_mnist);
    }

    private static string _mnist;

    [ClassCleanup]
    public static void StopServer() => _server.Dispose();

    [TestInitialize]
    public void Isolate()
    {
        _cache = TestData.TempDirectory();
        _savedEnvironment = Environment.GetEnvironmentVariable(MnistDataset.DataEnvironmentVariable);
        Environment.SetEnvironmentVariable(MnistDataset.DataEnvironmentVariable, null);
    }

    [TestCleanup]
    public void Restore()
    {
        Environment.SetEnvironmentVariable(MnistDataset.DataEnvironmentVariable, _savedEnvironment);
        Directory.Delete(_cache, recursive: true);
    }

    private MnistSource Source(params Uri[] mirrors) => new() { Mirrors = mirrors, CacheDirectory = _cache, Timeout = TimeSpan.FromSeconds(30) };

    [TestMethod]
    public void GoodMirror_DownloadsVerifiesAndLoads_AndNeverDownloadsAgain()
    {
        var ml = new MLContext(1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var source = Source(_server.Mirror("good"));
        var data = MnistDataset.Load(ml, null, MnistSplit.Test, source: source);
        Assert.AreEqual(10_000, data.GetRowCount() ?? data.Preview(20_000).RowView.Length);
        CollectionAssert.AreEquivalent(new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" }, Directory.GetFiles(_cache).Select(Path.GetFileName).ToArray());
        Assert.IsTrue(log.Any(m => m.Contains("Verified and saved")), "Progress should reach the MLContext log.");

        int requests = _server.Requests.Count;
        MnistDataset.Load(ml, null, MnistSplit.Test, source: source);
        Assert.AreEqual(requests, _server.Requests.Count, "Cached files must not be downloaded again.");
    }

    [TestMethod]
    [DataRow("missing")]
    [DataRow("corrupt")]
    [DataRow("cut")]
    public void FailingFirstMirror_FallsBackToTheNext_AndLeavesNoPartialFile(string behaviour)
    {
        var ml = new MLContext(1);
        string folder = MnistDataset.Locate(ml, null, MnistSplit.Test, Source(_server.Mirror(behaviour), _server.Mirror("good")));
        Assert.AreEqual(_cache, folder);
        foreach (var file in new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            Assert.AreEqual(MnistSource.OfficialChecksums[file], MnistDownloaderChecksum(Path.Combine(_cache, file)));
        Assert.AreEqual(2, Directory.GetFiles(_cache).Length, "No temporary file may be left behind.");
        Assert.IsTrue(_server.Requests.Contains($"{behaviour}/t10k-images-idx3-ubyte.gz"));
    }

    [TestMethod]
    public void OnlyBadMirrors_Fail_NamingEveryMirrorAndWhy_AndWriteNothing()
    {
        var ml = new MLContext(1);
        var closed = LoopbackMirror.Closed();
        var error = Assert.ThrowsExactly<MnistNotFoundException>(() =>
            MnistDataset.Load(ml, null, MnistSplit.Test, source: Source(closed, _server.Mirror("corrupt"), _server.Mirror("cut"), _server.Mirror("missing"))));
        StringAssert.Contains(error.Message, "MNIST_DATA not set");
        StringAssert.Contains(error.Message, _cache);
        StringAssert.Contains(error.Message, closed + "t10k-images-idx3-ubyte.gz");
        StringAssert.Contains(error.Message, "does not match the expected " + MnistSource.OfficialChecksums["t10k-images-idx3-ubyte.gz"]);
        StringAssert.Contains(error.Message, "Connection refused");
        StringAssert.Contains(error.Message, "connection broke after");
        StringAssert.Contains(error.Message, "HTTP 404");
        StringAssert.Contains(error.Message, "Pass a folder");
        Assert.AreEqual(0, Directory.GetFiles(_cache).Length, "A failed download must leave nothing in the cache.");
    }

    [TestMethod]
    public void DamagedCachedFile_IsDownloadedAgain()
    {
        var ml = new MLContext(1);
        var source = Source(_server.Mirror("good"));
        MnistDataset.Locate(ml, null, MnistSplit.Test, source);
        string labels = Path.Combine(_cache, "t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, new byte[] { 1, 2, 3 });
        MnistDataset.Locate(ml, null, MnistSplit.Test, source);
        Assert.AreEqual(MnistSource.OfficialChecksums["t10k-labels-idx1-ubyte.gz"], MnistDownloaderChecksum(labels));
    }

    [TestMethod]
    public void NamedFolderAndEnvironmentVariable_AreReadAsTheyAre_WithoutChecksums()
    {
        var ml = new MLContext(1);
        // The shared training files are a 10,000-image subset whose checksums differ from the official ones.
        Assert.AreEqual(_mnist, MnistDataset.Locate(ml, _mnist, MnistSplit.Train, Source(LoopbackMirror.Closed())));
        Environment.SetEnvironmentVariable(MnistDataset.DataEnvironmentVariable, _mnist);
        Assert.AreEqual(_mnist, MnistDataset.Locate(ml, null, MnistSplit.Train, Source(LoopbackMirror.Closed())));
        Assert.AreEqual(0, Directory.GetFiles(_cache).Length);
    }

    private static string MnistDownloaderChecksum(string path)
        => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
}
