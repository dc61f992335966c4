using System.Reflection;
using Microsoft.ML;

namespace MLNet.ConvNet.Common;

/// <summary>
/// The ML.NET this process runs on, against the versions whose internals the library was checked with
/// (InternalContractTests runs on each; docs/design.md). The package admits [5.0.1, 7.0.0), so an ML.NET inside that
/// range but not checked (6.1, say) loads and gets a warning in the MLContext log instead of an error.
/// </summary>
internal static class MLNetVersion
{
    /// <summary>The ML.NET versions the library's use of ML.NET internals was checked against.</summary>
    public static IReadOnlyList<string> Checked { get; } = ["5.0.1", "6.0.0"];

    /// <summary>The running Microsoft.ML's version, such as <c>6.0.0</c> (its informational version without the commit).</summary>
    public static string Running { get; } = Of(typeof(MLContext).Assembly);

    /// <summary>The version of an ML.NET (or TorchSharp) assembly, without the commit hash ML.NET appends to it.</summary>
    public static string Of(Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }

    /// <summary>The warning for <paramref name="version"/>, or null when it is a checked version.</summary>
    public static string? Warning(string version) => Checked.Contains(version)
        ? null
        : $"MLNet.ConvNet runs on Microsoft.ML {version}, but was checked against Microsoft.ML {string.Join(" and ", Checked)} only. " +
          "It reaches ML.NET internals that a new version may change: if saving, loading or scoring fails, use a checked version and report the failure.";

    /// <summary>The warning for the running ML.NET, or null when it is a checked version.</summary>
    public static string? Warning() => Warning(Running);
}
