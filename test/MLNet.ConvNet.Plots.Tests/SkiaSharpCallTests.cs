using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MLNet.ConvNet.Plots.Tests;

/// <summary>
/// MLNet.ConvNet and MLNet.ConvNet.Plots are compiled against SkiaSharp 2.88 and run on 2.88 (ML.NET 5.0.1) or 3 (ML.NET
/// 6), and so is OxyPlot.SkiaSharp, which the plots draw with. A member whose signature changed between the two
/// (SKBitmap.GetPixelSpan returns ReadOnlySpan in 2.88, Span in 3) compiles and then fails with MissingMethodException in
/// the user's process. This resolves every SkiaSharp and HarfBuzz member each assembly's IL names against the versions
/// loaded here; `.ci/run` runs it on both stacks.
/// </summary>
[TestClass]
public sealed class SkiaSharpCallTests
{
    private static readonly string[] Graphics = ["SkiaSharp", "SkiaSharp.HarfBuzz", "HarfBuzzSharp"];

    public static IEnumerable<object[]> Assemblies =>
    [
        ["MLNet.ConvNet", 5],
        ["MLNet.ConvNet.Plots", 20],
        ["OxyPlot.SkiaSharp", 20],
    ];

    [TestMethod]
    [DynamicData(nameof(Assemblies))]
    public void EverySkiaSharpMemberTheAssemblyNames_ResolvesOnTheSkiaSharpOfThisStack(string name, int atLeast)
    {
        var assembly = Load(name);
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var metadata = pe.GetMetadataReader();
        var unresolved = new List<string>();
        int checkedMembers = 0;
        foreach (var handle in metadata.MemberReferences)
        {
            var reference = metadata.GetMemberReference(handle);
            if (reference.Parent.Kind != HandleKind.TypeReference || ScopeOf(metadata, (TypeReferenceHandle)reference.Parent) is not { } scope || !Graphics.Contains(scope))
                continue;
            string member = $"{TypeName(metadata, (TypeReferenceHandle)reference.Parent)}.{metadata.GetString(reference.Name)}";
            checkedMembers++;
            try
            {
                Assert.IsNotNull(assembly.ManifestModule.ResolveMember(MetadataTokens.GetToken(handle)), member);
            }
            catch (Exception e) when (e is MissingMemberException or TypeLoadException)
            {
                unresolved.Add($"{member}: {e.Message}");
            }
        }
        // A check over nothing would pass whatever the assembly does.
        Assert.IsGreaterThanOrEqualTo(atLeast, checkedMembers, $"{name} names {checkedMembers} SkiaSharp members");
        Assert.AreEqual(0, unresolved.Count, $"{name} on SkiaSharp {typeof(SkiaSharp.SKCodec).Assembly.GetName().Version}: " + string.Join("; ", unresolved));
    }

    [TestMethod]
    [DataRow("MLNet.ConvNet")]
    [DataRow("MLNet.ConvNet.Plots")]
    public void TheLibrary_IsCompiledAgainstSkiaSharp288_AndRunsHereOnTheStacksSkiaSharp(string name)
    {
        var reference = Load(name).GetReferencedAssemblies().Single(a => a.Name == "SkiaSharp");
        Assert.AreEqual(new Version(2, 88, 0, 0), reference.Version, "a library built against SkiaSharp 3 cannot load beside SkiaSharp 2.88");
        string stack = typeof(SkiaSharpCallTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MLNetVersion").Value;
        int expectedMajor = stack.StartsWith("5.", StringComparison.Ordinal) ? 2 : 3;
        Assert.AreEqual(expectedMajor, typeof(SkiaSharp.SKCodec).Assembly.GetName().Version.Major, $"ML.NET {stack}'s ImageAnalytics runs on SkiaSharp {expectedMajor}");
    }

    private static Assembly Load(string name) => name switch
    {
        "MLNet.ConvNet" => typeof(ConvNetTransformer).Assembly,
        "MLNet.ConvNet.Plots" => typeof(ConvNetPlots).Assembly,
        _ => Assembly.Load(name),
    };

    private static string ScopeOf(MetadataReader metadata, TypeReferenceHandle type)
    {
        var scope = metadata.GetTypeReference(type).ResolutionScope;
        return scope.Kind switch
        {
            HandleKind.AssemblyReference => metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)scope).Name),
            HandleKind.TypeReference => ScopeOf(metadata, (TypeReferenceHandle)scope),
            _ => null,
        };
    }

    private static string TypeName(MetadataReader metadata, TypeReferenceHandle type)
    {
        var reference = metadata.GetTypeReference(type);
        return $"{metadata.GetString(reference.Namespace)}.{metadata.GetString(reference.Name)}".TrimStart('.');
    }
}
