namespace MLNet.ConvNet.Tests.Docs;

/// <summary>The doc tests' own checks fail where a block is broken, and pass where it is not.</summary>
[TestClass]
public sealed class DocHarnessTests
{
    private const string Page = """
        # A page

        ```csharp
        using MLNet.ConvNet;
        var summary = ArchitectureRegistry.Get("LeNot").GetSummary();
        Console.WriteLine(summary);
        ```

        ```bash
        dotnet run
        ```

        ```csharp fragment docs/snippets/Some.cs
        var x = 1;
        ```

        ```csharp
        public sealed class Before { }
        Console.WriteLine("statements after a type");
        ```

        ```csharp
        using MLNet.ConvNet;
        int epochs = new ConvNetTrainer.Options().NoSuchSetting;
        ```
        """;

    [TestMethod]
    public void ThePage_GivesItsCSharpBlocks_WithTheirLinesAndMarks()
    {
        var blocks = DocBlock.Parse("page.md", Page).ToList();
        CollectionAssert.AreEqual(new[] { 3, 13, 17, 22 }, blocks.Select(b => b.Line).ToArray());
        Assert.IsNull(blocks[0].FragmentOf);
        Assert.AreEqual("docs/snippets/Some.cs", blocks[1].FragmentOf);
        Assert.AreEqual("page.md:13", blocks[1].Where);
    }

    [TestMethod]
    public void AGoodBlockCompiles_AndRuns()
    {
        var block = DocBlock.Parse("page.md", Page).First();
        var (image, errors) = DocCompiler.Compile(block.Code, "Good");
        Assert.IsEmpty(errors);
        StringAssert.Contains(DocCompiler.Run(image!, Path.GetTempPath()), "Total params: 61,706");
    }

    [TestMethod]
    public void ABrokenBlock_FailsWithTheCompilersErrorAndItsLine()
    {
        var blocks = DocBlock.Parse("page.md", Page).ToList();
        var (image, errors) = DocCompiler.Compile(blocks[3].Code, "Broken");
        Assert.IsNull(image);
        StringAssert.Contains(errors.Single(), "line 2: CS1061");
        StringAssert.Contains(errors.Single(), "NoSuchSetting");
        // A type before the statements: what pasting such a block into Program.cs gives.
        (_, errors) = DocCompiler.Compile(blocks[2].Code, "TypeFirst");
        Assert.IsTrue(errors.Any(e => e.Contains("CS8803")), string.Join('\n', errors));
    }

    [TestMethod]
    public void AFragment_IsFoundOnlyWhereItsLinesStandTogetherInOrder()
    {
        var fragment = new DocBlock("page.md", 1, "fragment x.cs", "    var a = 1;\n\n    var b = 2;");
        Assert.AreEqual(3, fragment.FindIn("// x\n{\nvar a = 1;\n        var b = 2;\n}"));
        Assert.AreEqual(0, fragment.FindIn("var a = 1;\nvar c = 3;\nvar b = 2;"), "a line between them");
        Assert.AreEqual(0, fragment.FindIn("var b = 2;\nvar a = 1;"), "the other order");
        Assert.AreEqual(0, fragment.FindIn("var a = 1;\nvar b = 20;"), "a changed line");

        var elided = new DocBlock("page.md", 1, "fragment x.cs", "var a = 1;\n// ...\nvar c = 3;");
        Assert.AreEqual(2, elided.FindIn("{\nvar a = 1;\nvar b = 2;\nvar c = 3;"), "'// ...' stands for the lines between");
        Assert.AreEqual(0, elided.FindIn("var c = 3;\nvar a = 1;"), "the parts in the other order");
        Assert.AreEqual(0, new DocBlock("page.md", 1, "fragment x.cs", "// ...").FindIn("// ..."), "nothing but an elision");
    }

    [TestMethod]
    public void AnUnclosedBlock_IsRefusedWithItsLine()
    {
        var error = Assert.Throws<FormatException>(() => DocBlock.Parse("page.md", "text\n```csharp\nvar a = 1;\n").ToList());
        StringAssert.Contains(error.Message, "page.md:2");
    }

    [TestMethod]
    public void AProgramThatThrows_ThrowsItsOwnException()
    {
        var (image, _) = DocCompiler.Compile("throw new InvalidOperationException(\"from the doc\");", "Throws");
        var error = Assert.Throws<InvalidOperationException>(() => DocCompiler.Run(image!, Path.GetTempPath()));
        Assert.AreEqual("from the doc", error.Message);
    }
}
