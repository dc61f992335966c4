using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MLNet.ConvNet.Tests.Docs;

/// <summary>
/// Compiles a program as a new console project would (C# of the SDK's version, nullable on, the console template's
/// implicit usings) against the library and what an application of it has, and runs it in this process.
/// </summary>
public static class DocCompiler
{
    // What `dotnet new console` puts in its generated global usings.
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    // The test run's own assemblies, which a user's application would not have.
    private static readonly string[] NotAnApplications = ["MLNet.ConvNet.Tests", "ServingApi", "MSTest", "Microsoft.TestPlatform", "Microsoft.VisualStudio.TestPlatform", "testhost", "Microsoft.Testing", "Microsoft.CodeAnalysis"];

    private static readonly Lazy<IReadOnlyList<MetadataReference>> _references = new(FindReferences);

    /// <summary>The compiled program, or the compiler's errors, each with its line in <paramref name="code"/>.</summary>
    public static (byte[] Image, IReadOnlyList<string> Errors) Compile(string code, string name)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(name,
            [CSharpSyntaxTree.ParseText(code, options, path: "Program.cs"), CSharpSyntaxTree.ParseText(ImplicitUsings, options, path: "GlobalUsings.g.cs")],
            _references.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => $"line {d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.Id}: {d.GetMessage()}").ToList();
        return (result.Success ? image.ToArray() : null, errors);
    }

    /// <summary>
    /// Runs a compiled program's entry point in this process, in <paramref name="directory"/>, and returns what it wrote
    /// to the console; an exception the program throws comes out as it was thrown.
    /// </summary>
    public static string Run(byte[] image, string directory)
    {
        var context = new AssemblyLoadContext("doc block", isCollectible: true);
        var entry = context.LoadFromStream(new MemoryStream(image)).EntryPoint ?? throw new InvalidOperationException("The program has no entry point.");
        var console = Console.Out;
        string before = Environment.CurrentDirectory;
        using var output = new StringWriter();
        try
        {
            Environment.CurrentDirectory = directory;
            Console.SetOut(output);
            object returned = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            if (returned is Task task)
                task.GetAwaiter().GetResult();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
        finally
        {
            Console.SetOut(console);
            Environment.CurrentDirectory = before;
            context.Unload();
        }
        return output.ToString();
    }

    private static IReadOnlyList<MetadataReference> FindReferences()
    {
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var application = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return framework.Concat(application)
            .Where(path => !NotAnApplications.Any(p => Path.GetFileName(path).StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .Where(IsManaged)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var reader = new PEReader(File.OpenRead(path));
            return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
