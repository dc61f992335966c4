namespace MLNet.ConvNet.Tests.Docs;

/// <summary>
/// Every C# block of README.md and docs/*.md compiles as a user would paste it, or appears in the file it names as
/// its complete form; the blocks and programs marked to run, run (DocBlock says how blocks are marked).
/// </summary>
[TestClass]
public sealed class DocTests
{
    /// <summary>Complete programs that doc blocks are fragments of; a first line of "// doc-test: run" runs them too.</summary>
    public const string Snippets = "docs/snippets";

    private const string RunMark = "// doc-test: run";

    private static readonly Lazy<IReadOnlyList<DocBlock>> _blocks = new(() => DocBlock.Read(TestData.RepoRoot));

    private static readonly Dictionary<string, IReadOnlyList<string>> _compiledSnippets = [];

    public static IEnumerable<object[]> Blocks => _blocks.Value.Select(b => new object[] { b.Where });

    public static IEnumerable<object[]> SnippetFiles => Directory.GetFiles(Path.Combine(TestData.RepoRoot, Snippets), "*.cs")
        .Order(StringComparer.Ordinal).Select(f => new object[] { $"{Snippets}/{Path.GetFileName(f)}" });

    public static IEnumerable<object[]> Runnable => _blocks.Value.Where(b => b.Runs).Select(b => new object[] { b.Where })
        .Concat(SnippetFiles.Where(f => File.ReadLines(Path.Combine(TestData.RepoRoot, (string)f[0])).FirstOrDefault() == RunMark));

    [TestMethod]
    [DynamicData(nameof(Blocks))]
    public void EveryCSharpBlock_CompilesAsPasted_OrAppearsInTheCompleteFileItNames(string where)
    {
        var block = _blocks.Value.Single(b => b.Where == where);
        if (block.FragmentOf is not { } file)
        {
            Assert.IsTrue(block.Info is "" or "run", $"{where}: the fence says 'csharp {block.Info}'; a block is complete, 'run' or 'fragment PATH'");
            var (_, errors) = DocCompiler.Compile(block.Code, "DocBlock");
            Assert.IsEmpty(errors, $"{where} does not compile as a program on its own:\n{string.Join('\n', errors)}");
            return;
        }
        string path = Path.Combine(TestData.RepoRoot, file);
        Assert.IsTrue(File.Exists(path), $"{where} is a fragment of {file}, which does not exist");
        Assert.IsTrue(file.StartsWith($"{Snippets}/", StringComparison.Ordinal) || file.StartsWith("src/", StringComparison.Ordinal),
            $"{where} names {file}; a fragment's complete file is a program in {Snippets} or a library file in src (which the build compiles)");
        Assert.AreNotEqual(0, block.FindIn(File.ReadAllText(path)), $"{where}: the block's lines are not in {file}, in order and together");
        if (file.StartsWith($"{Snippets}/", StringComparison.Ordinal))
            Assert.IsEmpty(CompileSnippet(file), $"{file}, which {where} is a fragment of, does not compile:\n{string.Join('\n', CompileSnippet(file))}");
    }

    [TestMethod]
    [DynamicData(nameof(SnippetFiles))]
    public void EverySnippetProgram_Compiles_AndIsShownInTheDocs(string file)
    {
        Assert.IsEmpty(CompileSnippet(file), $"{file} does not compile:\n{string.Join('\n', CompileSnippet(file))}");
        Assert.IsTrue(_blocks.Value.Any(b => b.FragmentOf == file), $"no doc block is a fragment of {file}: show it, or delete it");
    }

    [TestMethod]
    [TestCategory("Integration")]
    [DynamicData(nameof(Runnable))]
    public void TheBlocksAndProgramsMarkedToRun_Run(string where)
    {
        string code = where.StartsWith($"{Snippets}/", StringComparison.Ordinal)
            ? File.ReadAllText(Path.Combine(TestData.RepoRoot, where))
            : _blocks.Value.Single(b => b.Where == where).Code;
        var (image, errors) = DocCompiler.Compile(code, "DocProgram");
        Assert.IsNotNull(image, $"{where} does not compile:\n{string.Join('\n', errors)}");
        string folder = TestData.TempDirectory();
        string mnist = Environment.GetEnvironmentVariable("MNIST_DATA");
        try
        {
            // MnistDataset.Load(ml, null, ...) reads MNIST_DATA, as the docs say; no program here downloads.
            Environment.SetEnvironmentVariable("MNIST_DATA", TestData.MnistDirectory);
            string output = DocCompiler.Run(image, folder);
            Console.WriteLine($"{where} printed:\n{output}");
        }
        finally
        {
            Environment.SetEnvironmentVariable("MNIST_DATA", mnist);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IReadOnlyList<string> CompileSnippet(string file)
    {
        lock (_compiledSnippets)
        {
            if (!_compiledSnippets.TryGetValue(file, out var errors))
                _compiledSnippets[file] = errors = DocCompiler.Compile(File.ReadAllText(Path.Combine(TestData.RepoRoot, file)), Path.GetFileNameWithoutExtension(file)).Errors;
            return errors;
        }
    }
}
