using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace MLNet.ConvNet.Tests;

/// <summary>
/// Dependencies between the library's rooms run as the table in docs/design.md allows, and its chart names every file
/// where it is. Each type's folder comes from the library's PDB (the file that declares it); what a type uses comes
/// from its signatures and IL. A room is a top folder of src/MLNet.ConvNet; its subfolders belong to it.
/// </summary>
[TestClass]
public sealed class LayoutTests
{
    private static readonly Lazy<Dictionary<Type, string>> Folders = new(() => ReadFolders(typeof(ConvNetTransformer).Assembly));

    private static readonly Lazy<string> Design = new(() => File.ReadAllText(Path.Combine(TestData.RepoRoot, "docs", "design.md")));

    private static string LibraryFolder => Path.Combine(TestData.RepoRoot, "src", "MLNet.ConvNet");

    [TestMethod]
    public void EveryUseBetweenRooms_IsOneTheTableInDesignMdAllows()
    {
        var problems = RoomTable.Parse(Design.Value).Check(Edges());
        Assert.AreEqual(0, problems.Count, "docs/design.md's table of rooms and the code disagree:\n" + string.Join("\n", problems));
    }

    [TestMethod]
    public void TheTable_RunsOneWay()
    {
        var table = RoomTable.Parse(Design.Value);
        Assert.IsNull(table.Cycle(), $"The table in docs/design.md lets rooms use each other: {table.Cycle()}");
        Assert.IsTrue(table.Rooms.Count >= 10, $"Only {table.Rooms.Count} rooms were read from docs/design.md: {string.Join(", ", table.Rooms.Keys)}");
    }

    [TestMethod]
    public void AUseTheTableDoesNotAllow_IsReported()
    {
        // Guards the check against passing vacuously: take one allowed use away and it must be named.
        var table = RoomTable.Parse(Design.Value);
        Assert.IsTrue(Edges().ContainsKey(("Scoring", "Architectures")), "Scoring is expected to use Architectures.");
        table.Rooms["Scoring"].Remove("Architectures");
        var problems = table.Check(Edges());
        Assert.IsTrue(problems.Any(p => p.StartsWith("Scoring -> Architectures", StringComparison.Ordinal)), string.Join("\n", problems));
    }

    [TestMethod]
    public void ARoomMissingFromTheTable_IsReported()
    {
        var table = RoomTable.Parse(Design.Value);
        table.Rooms.Remove("Inspection");
        foreach (var uses in table.Rooms.Values)
            uses.Remove("Inspection");
        var problems = table.Check(Edges());
        Assert.IsTrue(problems.Any(p => p.Contains("'Inspection' is missing from the table", StringComparison.Ordinal)), string.Join("\n", problems));
    }

    [TestMethod]
    public void ACircleInTheTable_IsReported()
    {
        var table = RoomTable.Parse(Design.Value);
        table.Rooms["Common"].Add("Model");
        StringAssert.Contains(table.Cycle(), "Common");
    }

    [TestMethod]
    public void TheChartInDesignMd_NamesEveryFileInTheFolderItIsIn()
    {
        var chart = ReadChart(Design.Value);
        var files = Directory.EnumerateFiles(LibraryFolder, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(LibraryFolder, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Select(f => (Folder: Path.GetDirectoryName(f).Replace('\\', '/') is { Length: > 0 } d ? d : ".", Name: Path.GetFileNameWithoutExtension(f)))
            .ToHashSet();
        var charted = chart.SelectMany(kv => kv.Value.Select(name => (Folder: kv.Key, Name: name))).ToHashSet();
        Assert.IsTrue(files.Count > 90, $"Only {files.Count} files found under {LibraryFolder}.");
        var missing = files.Except(charted).Select(f => $"{f.Folder}/{f.Name}.cs is not in the chart").ToList();
        var stale = charted.Except(files).Select(f => $"the chart names {f.Folder}/{f.Name}, which does not exist").ToList();
        Assert.AreEqual(0, missing.Count + stale.Count, "docs/design.md's chart and the files disagree:\n" + string.Join("\n", missing.Concat(stale)));
    }

    [TestMethod]
    public void EveryPublicType_LivesInAFileNamedAfterIt()
    {
        var folders = Folders.Value;
        var wrong = new List<string>();
        foreach (var type in typeof(ConvNetTransformer).Assembly.GetExportedTypes().Where(t => !t.IsNested))
        {
            string name = type.Name.Split('`')[0];
            var files = FilesOf(type);
            if (!files.Any(f => f == name || f.StartsWith(name + ".", StringComparison.Ordinal)))
                wrong.Add($"{type.FullName} is declared in {string.Join(", ", files)}.cs");
        }
        Assert.AreEqual(0, wrong.Count, "Give these public types a file of their own:\n" + string.Join("\n", wrong));
        Assert.IsTrue(folders.Count > 80);
    }

    [TestMethod]
    public void TheCheck_SeesTheFoldersAndTheUsesBetweenThem()
    {
        // Guards the tests above against passing vacuously.
        var folders = Folders.Value;
        Assert.AreEqual(".", folders[typeof(ConvNetTrainer)]);
        Assert.AreEqual("Training", folders[typeof(LearningRateSchedule)]);
        Assert.AreEqual("Training/Optimizers", folders[typeof(RMSpropOptimizer)]);
        Assert.AreEqual("Model", folders[typeof(ConvNetTransformer)]);
        Assert.AreEqual("Augmentation", folders[typeof(ImageAugmentation)]);
        Assert.AreEqual("ModelFile/Internals", folders[typeof(ConvNetTransformer).Assembly.GetType("MLNet.ConvNet.ModelFile.Internals.KeyValuesFormat")]);
        Assert.AreEqual("Common", folders[typeof(ImageShape)]);
        Assert.AreEqual("Training", folders[typeof(TrainingMetric)], "an enum, found through the PDB's type-document records");
        var edges = Edges();
        Assert.IsTrue(edges.ContainsKey((".", "Training")) && edges.ContainsKey(("Model", "Scoring")) && edges.ContainsKey(("Training", "Augmentation"))
            && edges.ContainsKey(("Augmentation", "Architectures")) && edges.ContainsKey(("Architectures", "Native")) && edges.ContainsKey(("Native", "Common")), string.Join(", ", edges.Keys));
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

    /// <summary>The table of rooms in docs/design.md: each room with the rooms it may use.</summary>
    private sealed class RoomTable
    {
        public Dictionary<string, HashSet<string>> Rooms { get; } = new(StringComparer.Ordinal);

        /// <summary>Reads the rows of the table headed "| room | may use | holds |".</summary>
        public static RoomTable Parse(string markdown)
        {
            var table = new RoomTable();
            bool inTable = false;
            var all = new List<(string Room, string Uses)>();
            foreach (var line in markdown.Split('\n'))
            {
                if (line.StartsWith("| room | may use |", StringComparison.Ordinal))
                {
                    inTable = true;
                    continue;
                }
                if (!inTable || line.StartsWith("|---", StringComparison.Ordinal))
                    continue;
                if (!line.StartsWith('|'))
                    break;
                var cells = line.Split('|');
                all.Add((Names(cells[1]).Single(), cells[2]));
            }
            foreach (var (room, uses) in all)
                table.Rooms[room] = uses.Contains("every room", StringComparison.Ordinal) ? all.Select(r => r.Room).Where(r => r != room).ToHashSet() : Names(uses).ToHashSet();
            return table;
        }

        private static IEnumerable<string> Names(string cell)
            => Regex.Matches(cell, "`([^`]+)`").Select(m => m.Groups[1].Value.TrimEnd('/'));

        /// <summary>Each use between rooms the table does not allow, and each room of the code missing from it.</summary>
        public List<string> Check(Dictionary<(string From, string To), string> edges)
        {
            var problems = new List<string>();
            foreach (var room in edges.Keys.SelectMany(e => new[] { RoomOf(e.From), RoomOf(e.To) }).Distinct().Where(r => !Rooms.ContainsKey(r)))
                problems.Add($"The room '{room}' is missing from the table in docs/design.md.");
            foreach (var ((from, to), example) in edges)
            {
                string a = RoomOf(from), b = RoomOf(to);
                if (a != b && Rooms.TryGetValue(a, out var allowed) && !allowed.Contains(b))
                    problems.Add($"{a} -> {b} is not in the table: {example}");
            }
            return problems;
        }

        /// <summary>A path of rooms that leads back to its start, or null when the table runs one way.</summary>
        public string Cycle()
        {
            var state = new Dictionary<string, int>();
            var path = new Stack<string>();
            string Visit(string room)
            {
                if (state.GetValueOrDefault(room) == 1)
                    return string.Join(" -> ", path.Reverse().SkipWhile(r => r != room).Append(room));
                if (state.GetValueOrDefault(room) == 2 || !Rooms.ContainsKey(room))
                    return null;
                state[room] = 1;
                path.Push(room);
                foreach (var next in Rooms[room])
                {
                    if (Visit(next) is { } found)
                        return found;
                }
                path.Pop();
                state[room] = 2;
                return null;
            }
            return Rooms.Keys.Select(Visit).FirstOrDefault(c => c is not null);
        }

        public static string RoomOf(string folder)
            => folder == "." || folder == "Internals" ? "." : folder.Split('/')[0];
    }

    /// <summary>The chart in docs/design.md: folder to the file names (without .cs) it lists.</summary>
    private static Dictionary<string, HashSet<string>> ReadChart(string markdown)
    {
        int start = markdown.IndexOf("```text", StringComparison.Ordinal);
        Assert.IsTrue(start >= 0, "docs/design.md has no ```text chart of the files.");
        int end = markdown.IndexOf("```", start + 7, StringComparison.Ordinal);
        var chart = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        string folder = null;
        foreach (var line in markdown[(start + 7)..end].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string rest = line;
            if (!char.IsWhiteSpace(line[0]))
            {
                var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
                folder = parts[0].TrimEnd('/');
                rest = parts.Length > 1 ? parts[1] : "";
                chart.TryAdd(folder, []);
            }
            Assert.IsNotNull(folder, $"The chart starts with a continuation line: '{line}'.");
            foreach (var name in rest.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                chart[folder].Add(name);
        }
        return chart;
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

    private static readonly Lazy<Dictionary<Type, List<string>>> Documents = new(() => ReadDocuments(typeof(ConvNetTransformer).Assembly));

    /// <summary>The names (without .cs) of the files that declare <paramref name="type"/>.</summary>
    private static List<string> FilesOf(Type type) => Documents.Value.TryGetValue(type, out var files) ? files : [];

    /// <summary>Each type of the library with the folder (below src/MLNet.ConvNet, "." for the top) of the file that declares it.</summary>
    private static Dictionary<Type, string> ReadFolders(Assembly assembly)
    {
        var result = new Dictionary<Type, string>();
        foreach (var (type, paths) in ReadDocumentPaths(assembly))
        {
            string path = paths[0];
            int root = path.LastIndexOf("src/MLNet.ConvNet/", StringComparison.Ordinal);
            if (root < 0)
                continue; // generated files under obj/
            string folder = Path.GetDirectoryName(path[(root + "src/MLNet.ConvNet/".Length)..])?.Replace('\\', '/') ?? "";
            if (folder.StartsWith("obj", StringComparison.Ordinal))
                continue;
            result[type] = folder.Length == 0 ? "." : folder;
        }
        return result;
    }

    private static Dictionary<Type, List<string>> ReadDocuments(Assembly assembly)
        => ReadDocumentPaths(assembly).ToDictionary(kv => kv.Key, kv => kv.Value.Select(Path.GetFileNameWithoutExtension).Distinct().ToList());

    /// <summary>Each type with the source files that declare it, from the library's PDB.</summary>
    private static Dictionary<Type, List<string>> ReadDocumentPaths(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var metadata = pe.GetMetadataReader();
        using var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(Path.ChangeExtension(assembly.Location, ".pdb")));
        var pdb = pdbProvider.GetMetadataReader();
        var documents = new Dictionary<TypeDefinitionHandle, List<DocumentHandle>>();
        void Add(TypeDefinitionHandle type, DocumentHandle document)
        {
            if (!documents.TryGetValue(type, out var list))
                documents[type] = list = [];
            if (!list.Contains(document))
                list.Add(document);
        }
        foreach (var handle in pdb.MethodDebugInformation)
        {
            var info = pdb.GetMethodDebugInformation(handle);
            var document = info.Document.IsNil ? info.GetSequencePoints().Select(p => p.Document).FirstOrDefault() : info.Document;
            if (!document.IsNil)
                Add(metadata.GetMethodDefinition(handle.ToDefinitionHandle()).GetDeclaringType(), document);
        }
        // Types without method bodies (enums, interfaces) are placed by Roslyn's TypeDefinitionDocuments records.
        var typeDocuments = new Guid("932E74BC-DBA9-4478-8D46-0F32A7BAB3D3");
        foreach (var handle in pdb.CustomDebugInformation)
        {
            var info = pdb.GetCustomDebugInformation(handle);
            if (info.Parent.Kind != HandleKind.TypeDefinition || pdb.GetGuid(info.Kind) != typeDocuments)
                continue;
            var blob = pdb.GetBlobReader(info.Value);
            while (blob.RemainingBytes > 0)
                Add((TypeDefinitionHandle)info.Parent, MetadataTokens.DocumentHandle(blob.ReadCompressedInteger()));
        }

        var result = new Dictionary<Type, List<string>>();
        foreach (var handle in metadata.TypeDefinitions.Skip(1)) // row 1 is the <Module> type
        {
            var type = assembly.ManifestModule.ResolveType(MetadataTokens.GetToken(handle));
            // A nested type without code of its own (a record's nested enum, say) sits in its outer type's file.
            var declaring = handle;
            while (!documents.ContainsKey(declaring) && !metadata.GetTypeDefinition(declaring).GetDeclaringType().IsNil)
                declaring = metadata.GetTypeDefinition(declaring).GetDeclaringType();
            if (!documents.TryGetValue(declaring, out var docs))
                continue; // compiler-generated helpers with no source
            var paths = docs.Select(d => pdb.GetString(pdb.GetDocument(d).Name).Replace('\\', '/')).Where(p => !p.Contains("/obj/", StringComparison.Ordinal)).ToList();
            if (paths.Count > 0)
                result[type] = paths;
        }
        return result;
    }
}
