using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>
/// Every built-in layer type is found by <see cref="LayerTypes"/>, is used by a test architecture (so the shared tests
/// cover it: a new layer type fails here until it is), and writes a description that reads back as the same layer.
/// </summary>
[TestClass]
public sealed class LayerTypeTests
{
    /// <summary>The layers of every registered architecture: the built-in ones and the test architectures.</summary>
    private static IReadOnlyList<LayerSpec> TestLayers
    {
        get
        {
            TestSetup.EnsureRegistered();
            return ArchitectureRegistry.All.SelectMany(a => a.CreateLayers(10)).ToList();
        }
    }

    [TestMethod]
    public void EveryBuiltInLayerTypeAndActivation_IsUsedByATestArchitecture()
    {
        CollectionAssert.IsSubsetOf(new[] { "Conv2D", "Concatenate", "ChannelShuffle", "LayerNormalization", "Multiply" }, LayerTypes.Names.ToArray());
        var used = TestLayers.Select(l => l.TypeName).ToHashSet();
        var unused = LayerTypes.Names.Where(n => !used.Contains(n)).ToList();
        Assert.AreEqual(0, unused.Count, $"layer types no registered architecture uses: {string.Join(", ", unused)}; add them to EveryLayerNet or GraphLayerNet");
        var activations = TestLayers.Select(l => l.Activation.Name).ToHashSet();
        var idle = Activation.ByName.Keys.Where(a => !activations.Contains(a)).ToList();
        Assert.AreEqual(0, idle.Count, $"activations no registered architecture uses: {string.Join(", ", idle)}");
    }

    [TestMethod]
    public void EveryBuiltInLayerType_HasTheTypeNameOfItsClass()
    {
        foreach (var layer in TestLayers)
            Assert.AreEqual(layer.GetType().Name, layer.TypeName, "a description names the type it is read back as");
    }

    [TestMethod]
    public void TheDescription_ReadsBackAsTheSameLayers_AndTheSameNetwork()
    {
        var architecture = GraphLayerNet.Create();
        string written = ArchitectureFormat.Write(architecture);
        var read = ArchitectureFormat.Read(written);
        Assert.AreEqual(written, ArchitectureFormat.Write(read));
        StringAssert.Contains(written, "\"groups\":16");
        StringAssert.Contains(written, "\"ceilMode\":true");
        StringAssert.Contains(written, "\"keepDims\":true");
        using var original = new ConvNetModule(architecture, 10);
        using var copy = new ConvNetModule(read, 10);
        Assert.AreEqual(original.Summary(), copy.Summary());
    }

    [TestMethod]
    public void ALayerOfAnotherType_IsRefusedByTheDescription_NamingIt()
    {
        string written = ArchitectureFormat.Write(GraphLayerNet.Create()).Replace("\"ChannelShuffle\"", "\"ChannelRiffle\"");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ArchitectureFormat.Read(written));
        StringAssert.Contains(error.Message, "a layer of type 'ChannelRiffle', which this MLNet.ConvNet does not know");
    }
}
