using System.Collections.Concurrent;

namespace MLNet.ConvNet;

/// <summary>
/// Finds architectures by name (case-insensitive). <see cref="SimpleConvNet"/> and <see cref="LeNot"/> are
/// registered from the start; register your own before training with it or loading a model that uses it.
/// Thread-safe.
/// </summary>
public static class ArchitectureRegistry
{
    private static readonly ConcurrentDictionary<string, ConvNetArchitecture> _architectures = new(StringComparer.OrdinalIgnoreCase);

    static ArchitectureRegistry()
    {
        Register(new SimpleConvNet());
        Register(new LeNot());
    }

    /// <summary>The registered names, in alphabetical order.</summary>
    public static IReadOnlyList<string> Names => _architectures.Values.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>Every registered architecture, ordered by name.</summary>
    public static IReadOnlyList<ConvNetArchitecture> All => _architectures.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();

    /// <summary>Registers <paramref name="architecture"/> under its <see cref="ConvNetArchitecture.Name"/>.</summary>
    /// <param name="architecture">The architecture to add.</param>
    /// <param name="replace">Whether to replace an architecture already registered under that name. Defaults to false.</param>
    /// <exception cref="ArgumentException">The name is empty, or taken and <paramref name="replace"/> is false.</exception>
    public static void Register(ConvNetArchitecture architecture, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (string.IsNullOrWhiteSpace(architecture.Name))
            throw new ArgumentException($"An architecture needs a non-empty Name; {architecture.GetType().FullName} has '{architecture.Name}'.", nameof(architecture));
        if (replace)
        {
            _architectures[architecture.Name] = architecture;
            return;
        }
        if (!_architectures.TryAdd(architecture.Name, architecture))
            throw new ArgumentException($"An architecture named '{architecture.Name}' is already registered ({_architectures[architecture.Name].GetType().FullName}); pass replace: true to replace it.", nameof(architecture));
    }

    /// <summary>Finds an architecture by name.</summary>
    /// <exception cref="ArgumentException">No architecture has that name; the message lists the known ones.</exception>
    public static ConvNetArchitecture Get(string name)
    {
        if (name is not null && _architectures.TryGetValue(name, out var architecture))
            return architecture;
        throw new ArgumentException($"Unknown architecture '{name}'. Known architectures: {string.Join(", ", Names)}. Register your own with ArchitectureRegistry.Register.", nameof(name));
    }

    /// <summary>Finds an architecture by name, returning false when none has it.</summary>
    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConvNetArchitecture? architecture)
    {
        architecture = null;
        return name is not null && _architectures.TryGetValue(name, out architecture);
    }
}
