using System.IO.Compression;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Data;

[TestClass]
public sealed class IdxReaderTests
{
    private string _directory;

    [TestInitialize]
    public void Create() => _directory = TestData.TempDirectory();

    [TestCleanup]
    public void Delete() => Directory.Delete(_directory, recursive: true);

    [TestCategory("Integration")] // reads the shared MNIST files
    [TestMethod]
    public void SharedMnist_TakesTheRecordCountFromTheHeader()
    {
        var train = MnistDataset.ReadSplit(TestData.MnistDirectory, MnistSplit.Train);
        var test = MnistDataset.ReadSplit(TestData.MnistDirectory, MnistSplit.Test);
        Assert.AreEqual(10_000, train.Images.Count);
        Assert.AreEqual(10_000, test.Images.Count);
        Assert.AreEqual(28, train.Images.Rows);
        Assert.AreEqual(28, train.Images.Columns);
        // The official test split starts 7, 2, 1, 0, 4; the training split 5, 0, 4, 1, 9.
        CollectionAssert.AreEqual(new byte[] { 7, 2, 1, 0, 4 }, test.Labels[..5]);
        CollectionAssert.AreEqual(new byte[] { 5, 0, 4, 1, 9 }, train.Labels[..5]);
    }

    [TestMethod]
    public void RawAndGzipFiles_ReadTheSame()
    {
        byte[] file = Images(count: 3, rows: 2, columns: 2);
        string raw = Write("raw-idx3", file);
        string gzip = Write("gz-idx3", Gzip(file));
        var a = IdxReader.ReadImages(raw);
        var b = IdxReader.ReadImages(gzip);
        Assert.AreEqual(3, a.Count);
        CollectionAssert.AreEqual(a.Pixels, b.Pixels);
        CollectionAssert.AreEqual(Enumerable.Range(0, 12).Select(i => (byte)i).ToArray(), a.Pixels);
    }

    [TestMethod]
    public void WrongMagic_SaysWhatWasExpectedAndWhatWasFound()
    {
        string path = Write("labels-as-images", Labels(5));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));
        StringAssert.Contains(error.Message, "expected magic number 0x00000803");
        StringAssert.Contains(error.Message, "got 0x00000801");
    }

    [TestMethod]
    public void TruncatedData_IsReportedWithTheByteCounts()
    {
        byte[] file = Images(count: 4, rows: 3, columns: 3);
        string path = Write("truncated", file[..^5]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));
        StringAssert.Contains(error.Message, "is truncated");
        StringAssert.Contains(error.Message, "need 36 bytes of data, but the file holds at most 31");
    }

    [TestMethod]
    public void TruncatedGzip_IsReportedAsTruncatedOrCorrupt()
    {
        byte[] gzip = Gzip(Images(count: 50, rows: 28, columns: 28));
        string path = Write("cut.gz", gzip[..(gzip.Length / 2)]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    public void GzipWhoseHeaderAsksForMoreThanItHolds_IsRefusedBeforeAllocating()
    {
        // Claims 60,000 images but holds 3: refused from the gzip trailer, not after a 47 MB allocation.
        byte[] file = Images(count: 3, rows: 28, columns: 28);
        file[4] = 0; file[5] = 0; file[6] = 0xEA; file[7] = 0x60;
        string path = Write("lying.gz", Gzip(file));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.IsTrue(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "The reader allocated the declared size before noticing.");
        StringAssert.Contains(error.Message, "need 47,040,000 bytes of data, but the file holds at most 2,352");
    }

    [TestMethod]
    public void AbsurdDimensions_AreRefusedBeforeAllocating()
    {
        byte[] header = [0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0x10, 0, 0, 0, 0x10, 0];
        string path = Write("huge", header);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(path));
        StringAssert.Contains(error.Message, "header is probably corrupt");
    }

    [TestMethod]
    public void ImagesAndLabelsThatDisagree_AreRefused()
    {
        File.WriteAllBytes(Path.Combine(_directory, "t10k-images-idx3-ubyte"), Images(count: 3, rows: 28, columns: 28));
        File.WriteAllBytes(Path.Combine(_directory, "t10k-labels-idx1-ubyte"), Labels(4));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => MnistDataset.ReadSplit(_directory, MnistSplit.Test));
        StringAssert.Contains(error.Message, "3 images but 4 labels");
    }

    [TestMethod]
    public void MissingFolderOrFile_NamesWhatIsMissing()
    {
        var noFolder = Assert.ThrowsExactly<DirectoryNotFoundException>(() => MnistDataset.ReadSplit(Path.Combine(_directory, "nope"), MnistSplit.Test));
        StringAssert.Contains(noFolder.Message, "does not exist");
        var noFile = Assert.ThrowsExactly<FileNotFoundException>(() => MnistDataset.ReadSplit(_directory, MnistSplit.Train));
        StringAssert.Contains(noFile.Message, "train-images-idx3-ubyte.gz");
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    internal static byte[] Images(int count, int rows, int columns)
    {
        var bytes = new List<byte> { 0, 0, 8, 3 };
        foreach (int d in new[] { count, rows, columns })
            bytes.AddRange(BitConverter.GetBytes(d).Reverse());
        bytes.AddRange(Enumerable.Range(0, count * rows * columns).Select(i => (byte)i));
        return bytes.ToArray();
    }

    internal static byte[] Labels(int count)
    {
        var bytes = new List<byte> { 0, 0, 8, 1 };
        bytes.AddRange(BitConverter.GetBytes(count).Reverse());
        bytes.AddRange(Enumerable.Range(0, count).Select(i => (byte)(i % 10)));
        return bytes.ToArray();
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            gzip.Write(bytes);
        return output.ToArray();
    }
}
