using System.IO.Compression;
using Microsoft.ML;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.ModelFile;

/// <summary>Damaged, newer and mismatched model files give clear errors, never a wrong model.</summary>
[TestClass]
public sealed class ModelFileTests
{
    private static string _directory, _modelPath;
    private static DataViewSchema _schema;

    [ClassInitialize]
    public static void SaveOne(TestContext context)
    {
        _directory = TestData.TempDirectory();
        _schema = TrainedModels.Training.Schema;
        _modelPath = Path.Combine(_directory, "model.zip");
        TrainedModels.Ml.Model.Save(TrainedModels.LeNot, _schema, _modelPath);
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_directory, recursive: true);

    private static string Copy(string name)
    {
        string path = Path.Combine(_directory, name);
        File.Copy(_modelPath, path, overwrite: true);
        return path;
    }

    /// <summary>Rewrites the first entry of the .zip for which <paramref name="change"/> returns true.</summary>
    private static void RewriteEntry(string zipPath, Func<byte[], bool> change)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        foreach (var entry in zip.Entries.ToList())
        {
            byte[] bytes;
            using (var read = entry.Open())
            using (var copy = new MemoryStream())
            {
                read.CopyTo(copy);
                bytes = copy.ToArray();
            }
            if (!change(bytes))
                continue;
            string name = entry.FullName;
            entry.Delete();
            using var write = zip.CreateEntry(name).Open();
            write.Write(bytes);
            return;
        }
        Assert.Fail("No entry of the .zip was changed.");
    }

    [TestMethod]
    public void TruncatedZip_IsRefused()
    {
        string path = Copy("truncated.zip");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        Assert.IsTrue(error is InvalidDataException or InvalidOperationException || error.InnerException is InvalidDataException, TestData.Messages(error));
    }

    [TestMethod]
    public void ModelFromANewerFormat_SaysItIsTooNew()
    {
        string path = Copy("newer.zip");
        // Model.key of our transformer: ML.NET's header, with the model signature CONVNETT at 0x40 and the
        // written and readable versions at 0x48 and 0x4C.
        RewriteEntry(path, bytes =>
        {
            if (bytes.Length < 0x50 || System.Text.Encoding.ASCII.GetString(bytes, 0x40, 8) != "CONVNETT")
                return false;
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, 0x48);
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, 0x4C);
            return true;
        });
        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        StringAssert.Contains(TestData.Messages(error), "because the model is too new");
    }

    [TestMethod]
    public void WeightsThatDoNotFitTheRegisteredArchitecture_AreRefused()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 128);
        ArchitectureRegistry.Register(new Reshaped(8), replace: true);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(architecture: "Reshaped", epochs: 1).Fit(train);
        string path = Path.Combine(_directory, "reshaped.zip");
        ml.Model.Save(model, train.Schema, path);

        ArchitectureRegistry.Register(new Reshaped(12), replace: true);
        var error = Assert.Throws<Exception>(() => ml.Model.Load(path, out _));
        StringAssert.Contains(TestData.Messages(error), "The model's weights give 'conv2d.weight' shape [8, 1, 3, 3] but architecture 'Reshaped' needs [12, 1, 3, 3]");
    }

    [TestMethod]
    public void SaveAtomically_WhenSavingFails_LeavesTheOldFileAndNoTemporaryFile()
    {
        var ml = new MLContext(1);
        string path = Copy("kept.zip");
        byte[] before = File.ReadAllBytes(path);
        // A CustomMapping without a registered contract cannot be saved: ML.NET throws part way through.
        var unsavable = ml.Transforms.CustomMapping<Input, Output>((i, o) => o.Twice = i.Label * 2, contractName: null).Fit(ml.Data.LoadFromEnumerable(new[] { new Input() }));
        Assert.Throws<Exception>(() => ml.Model.SaveAtomically(unsavable, ml.Data.LoadFromEnumerable(new[] { new Input() }).Schema, path));
        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        Assert.AreEqual(0, Directory.GetFiles(_directory, ".kept.zip.*").Length);

        var loaded = ml.Model.Load(_modelPath, out var schema);
        ml.Model.SaveAtomically(loaded, schema, path);
        Assert.IsInstanceOfType<ITransformer>(ml.Model.Load(path, out _));
    }

    private sealed class Input
    {
        public float Label { get; set; }
    }

    private sealed class Output
    {
        public float Twice { get; set; }
    }

    private sealed class Reshaped(int filters) : ConvNetArchitecture
    {
        public override string Name => "Reshaped";
        public override ImageShape InputShape => new(1, 28, 28);
        public override int DefaultEpochs => 1;
        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
            [new Conv2D(filters, 3) { Activation = Activation.Relu }, new MaxPooling2D(4), new Flatten(), new Dense(numberOfClasses) { Activation = Activation.Softmax }];
    }
}
