using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MLNet.ConvNet.Tests;

/// <summary>
/// Dependencies in the library run one way, as docs/design.md draws them. Each type's folder comes from the
/// library's PDB (the file that declares it); what a type uses comes from its signatures and IL. An Internals
/// folder belongs to the folder it sits in: it adapts that folder's types to ML.NET.
/// </summary>
[TestClass]
public sealed class LayoutTests
{
    /// <summary>The layers, top to bottom, as docs/design.md lists them. A folder may use its own layer and the ones below.</summary>
    private static readonly string[][] Layers =
    [
        ["."],                              // the catalog, the trainer and its options
        ["Data", "Data/Mnist"],             // data helpers a user calls; nothing in the library calls them
        ["Training", "Training/Optimizers"], // the epoch loop and everything around it
        ["Model"],                          // the fitted model: transformer, scoring, the model file
        ["Architectures", "Architectures/Layers"], // networks as data, and the TorchSharp module that stacks them
        ["Native"],                         // making libtorch load
        ["Common"],                         // what everything needs
    ];

    private static readonly Lazy<Dictionary<Type, string>> Folders = new(() => ReadFolders(typeof(ConvNetTransformer).Assembly));

    [TestMethod]
    public void EveryFolder_UsesOnlyItsOwnLayerAndTheLayersBelow_AndNoFolderUsesOneThatUsesItBack()
    {
        var layerOf = Layers.SelectMany((folders, layer) => folders.Select(f => (f, layer))).ToDictionary(x => x.f, x => x.layer);
        var edges = Edges();
        var unknown = edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Where(f => !layerOf.ContainsKey(f)).ToList();
        Assert.AreEqual(0, unknown.Count, "Folders missing from the layer list here and in docs/design.md: " + string.Join(", ", unknown));

        var upward = edges.Where(e => layerOf[e.Key.From] > layerOf[e.Key.To]).Select(e => $"{e.Key.From} -> {e.Key.To}: {e.Value}").ToList();
        Assert.AreEqual(0, upward.Count, "These uses run up the layers of docs/design.md:\n" + string.Join("\n", upward));

        var backAndForth = edges.Keys.Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.ContainsKey((e.To, e.From)))
            .Select(e => $"{e.From} <-> {e.To}: {edges[e]} / {edges[(e.To, e.From)]}").ToList();
        Assert.AreEqual(0, backAndForth.Count, "These folders use each other:\n" + string.Join("\n", backAndForth));
    }

    [TestMethod]
    public void TheCheck_SeesTheFoldersAndTheUsesBetweenThem()
    {
        // Guards the test above against passing vacuously.
        var folders = Folders.Value;
        Assert.AreEqual(".", folders[typeof(ConvNetTrainer)]);
        Assert.AreEqual("Training", folders[typeof(LearningRateSchedule)]);
        Assert.AreEqual("Training/Optimizers", folders[typeof(RMSpropOptimizer)]);
        Assert.AreEqual("Model", folders[typeof(ConvNetTransformer)]);
        Assert.AreEqual("Model", folders[typeof(ConvNetTransformer).Assembly.GetType("MLNet.ConvNet.Model.Internals.ModelContextBridge")]);
        Assert.AreEqual("Common", folders[typeof(ImageShape)]);
        Assert.AreEqual("Training", folders[typeof(TrainingMetric)], "an enum, found through the PDB's type-document records");
        var edges = Edges();
        Assert.IsTrue(edges.ContainsKey((".", "Training")) && edges.ContainsKey(("Training", "Model")) && edges.ContainsKey(("Model", "Architectures"))
            && edges.ContainsKey(("Architectures", "Native")) && edges.ContainsKey(("Native", "Common")), string.Join(", ", edges.Keys));
        Assert.IsTrue(folders.Count > 80, $"Only {folders.Count} types were placed in folders.");
    }

    [TestMethod]
    public void PublicTypes_LiveInTheThreeUserNamespaces()
    {
        var allowed = new[] { "MLNet.ConvNet", "MLNet.ConvNet.Data", "MLNet.ConvNet.Layers" };
        var elsewhere = typeof(ConvNetTransformer).Assembly.GetExportedTypes().Where(t => !allowed.Contains(t.Namespace)).Select(t => t.FullName).ToList();
        Assert.AreEqual(0, elsewhere.Count, "Public types outside MLNet.ConvNet, .Data and .Layers: " + string.Join(", ", elsewhere));
        foreach (var needed in new[] { typeof(ConvNetTrainer.Options), typeof(ConvNetOptimizer), typeof(LearningRateSchedule), typeof(TrainingMetric), typeof(EpochMetrics), typeof(TrainingProgress), typeof(ImageShape) })
            Assert.AreEqual("MLNet.ConvNet", needed.Namespace, needed.Name);
    }

    /// <summary>Every use of one folder's types by another's: (from, to) with one example.</summary>
    private static Dictionary<(string From, string To), string> Edges()
    {
        var folders = Folders.Value;
        var edges = new Dictionary<(string, string), string>();
        foreach (var (type, folder) in folders)
        {
            foreach (var used in IlReader.ReferencedTypes(type))
            {
                if (folders.TryGetValue(used, out var target) && target != folder)
                    edges.TryAdd((folder, target), $"{type.FullName} uses {used.FullName}");
            }
        }
        return edges;
    }

    /// <summary>Each type of the library with the folder (below src/MLNet.ConvNet, "." for the top) of the file that declares it.</summary>
    private static Dictionary<Type, string> ReadFolders(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var metadata = pe.GetMetadataReader();
        using var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(Path.ChangeExtension(assembly.Location, ".pdb")));
        var pdb = pdbProvider.GetMetadataReader();
        var documents = new Dictionary<TypeDefinitionHandle, DocumentHandle>();
        foreach (var handle in pdb.MethodDebugInformation)
        {
            var info = pdb.GetMethodDebugInformation(handle);
            var document = info.Document.IsNil ? info.GetSequencePoints().Select(p => p.Document).FirstOrDefault() : info.Document;
            if (!document.IsNil)
                documents.TryAdd(metadata.GetMethodDefinition(handle.ToDefinitionHandle()).GetDeclaringType(), document);
        }
        // Types without method bodies (enums, interfaces) are placed by Roslyn's TypeDefinitionDocuments records.
        var typeDocuments = new Guid("932E74BC-DBA9-4478-8D46-0F32A7BAB3D3");
        foreach (var handle in pdb.CustomDebugInformation)
        {
            var info = pdb.GetCustomDebugInformation(handle);
            if (info.Parent.Kind != HandleKind.TypeDefinition || pdb.GetGuid(info.Kind) != typeDocuments)
                continue;
            var blob = pdb.GetBlobReader(info.Value);
            documents.TryAdd((TypeDefinitionHandle)info.Parent, MetadataTokens.DocumentHandle(blob.ReadCompressedInteger()));
        }

        var result = new Dictionary<Type, string>();
        foreach (var handle in metadata.TypeDefinitions.Skip(1)) // row 1 is the <Module> type
        {
            var type = assembly.ManifestModule.ResolveType(MetadataTokens.GetToken(handle));
            // A nested type without code of its own (a record's nested enum, say) sits in its outer type's file.
            var declaring = handle;
            while (!documents.ContainsKey(declaring) && !metadata.GetTypeDefinition(declaring).GetDeclaringType().IsNil)
                declaring = metadata.GetTypeDefinition(declaring).GetDeclaringType();
            if (!documents.TryGetValue(declaring, out var document))
                continue; // compiler-generated helpers with no source
            string path = pdb.GetString(pdb.GetDocument(document).Name).Replace('\\', '/');
            int root = path.LastIndexOf("src/MLNet.ConvNet/", StringComparison.Ordinal);
            if (root < 0)
                continue; // generated files under obj/
            string folder = Path.GetDirectoryName(path[(root + "src/MLNet.ConvNet/".Length)..])?.Replace('\\', '/') ?? "";
            if (folder.StartsWith("obj", StringComparison.Ordinal))
                continue;
            // An Internals folder adapts the folder it sits in; at the top it is the top's own.
            if (folder == "Internals" || folder.EndsWith("/Internals", StringComparison.Ordinal))
                folder = folder.Length == "Internals".Length ? "" : folder[..^"/Internals".Length];
            result[type] = folder.Length == 0 ? "." : folder;
        }
        return result;
    }
}
