// The runtime lets this assembly use the internal members of the assemblies named below; the compiler
// sees them through the publicized reference copies (build/Publicize.targets). Every use of
// ML.NET internals lives in an Internals folder beside what it adapts: see docs/design.md.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices;

/// <summary>Honoured by the .NET runtime: access checks from this assembly to the named one are skipped.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    public string AssemblyName { get; }
}
