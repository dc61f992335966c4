using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Tests.Architectures;

namespace MLNet.ConvNet.Tests;

/// <summary>Registers the test architectures once, before any test or data source needs them.</summary>
public static class TestSetup
{
    private static readonly Lazy<bool> _registered = new(() =>
    {
        ArchitectureRegistry.Register(new TinyNet(), replace: true);
        ArchitectureRegistry.Register(new EveryLayerNet(), replace: true);
        return true;
    });

    /// <summary>Every registered architecture's name, as [DynamicData] rows; MSTest reads these before any initializer runs.</summary>
    public static IEnumerable<object[]> RegisteredArchitectures
    {
        get
        {
            _ = _registered.Value;
            return ArchitectureRegistry.All.Select(a => new object[] { a.Name }).ToList();
        }
    }

    public static void EnsureRegistered() => _ = _registered.Value;
}
