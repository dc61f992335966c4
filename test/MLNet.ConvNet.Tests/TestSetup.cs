using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Tests.Architectures;

namespace MLNet.ConvNet.Tests;

/// <summary>Registers the test architectures once, before any test or data source needs them.</summary>
public static class TestSetup
{
    /// <summary>The residual test network as a <see cref="GraphArchitecture"/>: its models keep their description.</summary>
    public const string ResidualGraphName = "ResidualGraph";

    private static readonly Lazy<bool> _registered = new(() =>
    {
        ArchitectureRegistry.Register(new TinyNet(), replace: true);
        ArchitectureRegistry.Register(new EveryLayerNet(), replace: true);
        ArchitectureRegistry.Register(GraphLayerNet.Create(), replace: true);
        ArchitectureRegistry.Register(new PaddedAndGraphLayerTests.ResidualNet(), replace: true);
        var residual = new PaddedAndGraphLayerTests.ResidualNet();
        ArchitectureRegistry.Register(new GraphArchitecture(ResidualGraphName, residual.InputShape, residual.CreateLayers(2), residual.DefaultEpochs), replace: true);
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
