namespace MLNet.ConvNet.Tests.Docs;

/// <summary>
/// One <c>```csharp</c> block of README.md or docs/*.md. What follows <c>csharp</c> on the fence says what it is:
/// nothing, a complete program that compiles as pasted into a new console project's Program.cs; <c>run</c>, such a
/// program that the doc tests also run; <c>fragment PATH</c>, lines that appear, in order and together, in the complete
/// program or library file at PATH (from the repository's root), which is compiled instead.
/// </summary>
public sealed record DocBlock(string File, int Line, string Info, string Code)
{
    private const string Fence = "```";

    /// <summary>Whether the doc tests run this program (complete blocks marked <c>run</c>).</summary>
    public bool Runs => Info == "run";

    /// <summary>The file this block is a fragment of, or null for a complete program.</summary>
    public string FragmentOf => Info.StartsWith("fragment ", StringComparison.Ordinal) ? Info["fragment ".Length..].Trim() : null;

    /// <summary>"docs/data.md:113", for messages and test names.</summary>
    public string Where => $"{File}:{Line}";

    /// <summary>Every C# block of the README and the docs under <paramref name="root"/>, in file order.</summary>
    public static IReadOnlyList<DocBlock> Read(string root)
    {
        var files = new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal));
        return files.SelectMany(f => Parse(f.Replace('\\', '/'), System.IO.File.ReadAllText(Path.Combine(root, f)))).ToList();
    }

    /// <summary>The C# blocks of one Markdown text; an unclosed block is an error naming its line.</summary>
    public static IEnumerable<DocBlock> Parse(string file, string markdown)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith(Fence, StringComparison.Ordinal))
                continue;
            string info = lines[i][Fence.Length..].Trim();
            int end = Array.FindIndex(lines, i + 1, l => l.StartsWith(Fence, StringComparison.Ordinal));
            if (end < 0)
                throw new FormatException($"{file}:{i + 1}: a code block opens here and never closes.");
            if (info == "csharp" || info.StartsWith("csharp ", StringComparison.Ordinal))
                yield return new DocBlock(file, i + 1, info["csharp".Length..].Trim(), string.Join('\n', lines[(i + 1)..end]));
            i = end;
        }
    }

    /// <summary>A fragment's line that stands for lines of the complete file left out of the page.</summary>
    public const string Elision = "// ...";

    /// <summary>
    /// Where this fragment's lines start in <paramref name="text"/>, 1-based, comparing lines without their indentation
    /// and leaving out blank lines; 0 if they do not appear there, in order and together. A line of
    /// <see cref="Elision"/> alone splits the fragment into parts that must each stand together, in order, with any
    /// lines between them.
    /// </summary>
    public int FindIn(string text)
    {
        var parts = new List<List<string>> { new() };
        foreach (var line in Significant(Code))
        {
            if (line == Elision)
                parts.Add([]);
            else
                parts[^1].Add(line);
        }
        if (parts.Any(p => p.Count == 0))
            return 0;
        var lines = text.Split('\n').Select((l, i) => (Text: l.Trim(), Number: i + 1)).Where(l => l.Text.Length > 0).ToArray();
        int first = 0, from = 0;
        foreach (var part in parts)
        {
            int at = Enumerable.Range(from, Math.Max(lines.Length - part.Count - from + 1, 0))
                .FirstOrDefault(start => part.Select((p, k) => lines[start + k].Text == p).All(m => m), -1);
            if (at < 0)
                return 0;
            first = first == 0 ? lines[at].Number : first;
            from = at + part.Count;
        }
        return first;
    }

    private static IEnumerable<string> Significant(string code) => code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
}
