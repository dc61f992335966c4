using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Data;

/// <summary>
/// Thousands of mutated IDX files, raw and gzip-compressed: every one must either read or end in the
/// reader's own InvalidDataException, never any other exception, a hang or a huge allocation.
/// </summary>
[TestClass]
public sealed class IdxFuzzTests
{
    private const int Cases = 6000;

    [TestMethod]
    public void MutatedFiles_EndInTheReadersOwnException_OrReadCleanly()
    {
        string directory = TestData.TempDirectory();
        try
        {
            var random = new Random(20261125);
            byte[] images = IdxReaderTests.Images(count: 6, rows: 28, columns: 28);
            byte[] labels = IdxReaderTests.Labels(6);
            int read = 0, refused = 0;
            var unexpected = new List<string>();
            for (int i = 0; i < Cases; i++)
            {
                bool imageFile = random.Next(2) == 0;
                byte[] bytes = Mutate(imageFile ? images : labels, random);
                bool gzip = random.Next(3) == 0;
                if (gzip)
                    bytes = MutateCompressed(IdxReaderTests.Gzip(bytes), random);
                string path = Path.Combine(directory, $"case-{i % 16}");
                File.WriteAllBytes(path, bytes);
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    if (imageFile)
                        IdxReader.ReadImages(path);
                    else
                        IdxReader.ReadLabels(path);
                    read++;
                }
                catch (InvalidDataException e)
                {
                    refused++;
                    if (!e.Message.Contains(path, StringComparison.Ordinal))
                        unexpected.Add($"case {i}: message does not name the file: {e.Message}");
                }
                catch (Exception e)
                {
                    unexpected.Add($"case {i} ({(gzip ? "gzip" : "raw")}, {bytes.Length} bytes): {e.GetType().Name}: {e.Message}");
                }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > 50_000_000)
                    unexpected.Add($"case {i}: allocated {allocated:N0} bytes for a {bytes.Length}-byte file");
            }
            Assert.AreEqual(0, unexpected.Count, string.Join("\n", unexpected.Take(20)));
            Assert.IsTrue(refused > Cases / 2 && read > 0, $"The mutations should mostly break files and sometimes not: {read} read, {refused} refused.");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0: // a random header byte
                bytes[random.Next(Math.Min(16, bytes.Length))] = (byte)random.Next(256);
                break;
            case 1: // a random dimension, often absurd
                int dims = bytes[3] is >= 1 and <= 3 ? bytes[3] : 1;
                int at = 4 + 4 * random.Next(dims);
                BitConverter.GetBytes(random.Next(3) == 0 ? random.Next() : random.Next(64)).Reverse().ToArray().CopyTo(bytes, at);
                break;
            case 2: // truncated anywhere
                Array.Resize(ref bytes, random.Next(bytes.Length));
                break;
            case 3: // extra bytes
                Array.Resize(ref bytes, bytes.Length + random.Next(1, 100));
                break;
            default: // random bytes anywhere
                for (int k = random.Next(1, 8); k > 0; k--)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                break;
        }
        return bytes;
    }

    private static byte[] MutateCompressed(byte[] gzip, Random random)
    {
        if (gzip.Length < 4) // .NET writes nothing at all for an empty input
            return gzip;
        switch (random.Next(3))
        {
            case 0:
                return gzip;
            case 1:
                var flipped = (byte[])gzip.Clone();
                flipped[2 + random.Next(gzip.Length - 2)] ^= (byte)(1 << random.Next(8));
                return flipped;
            default:
                return gzip[..random.Next(2, gzip.Length)];
        }
    }
}
