using System.Reflection;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Every built-in layer type (<see cref="IBuiltInLayer"/>), found once in this assembly: the readers of their
/// descriptions by type name, and of the ONNX operators they are imported from.
/// </summary>
internal static class LayerTypes
{
    private sealed record Entry(Type Type, Func<LayerSettings, LayerSpec> Read, IReadOnlyList<OnnxReader> OnnxReaders);

    private static readonly Lazy<IReadOnlyList<Entry>> _entries = new(() => typeof(LayerTypes).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(IBuiltInLayer).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .Select(t => (Entry)typeof(LayerTypes).GetMethod(nameof(Describe), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(t).Invoke(null, null)!)
        .ToList());

    private static readonly Lazy<IReadOnlyDictionary<string, Entry>> _byName = new(() => _entries.Value.ToDictionary(e => e.Type.Name, StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlyDictionary<string, OnnxReader>> _onnx = new(() => _entries.Value.SelectMany(e => e.OnnxReaders).ToDictionary(r => r.Operator, StringComparer.Ordinal));

    private static Entry Describe<T>() where T : LayerSpec, IBuiltInLayer => new(typeof(T), T.Read, T.OnnxReaders.ToList());

    /// <summary>The built-in layer types' names, which their descriptions give as "type" (each is its TypeName).</summary>
    public static IReadOnlyCollection<string> Names => _byName.Value.Keys.ToList();

    /// <summary>Whether <paramref name="layer"/> is of a built-in type, so it can be described.</summary>
    public static bool IsBuiltIn(LayerSpec layer) => layer is IBuiltInLayer && layer.GetType().Assembly == typeof(LayerTypes).Assembly;

    /// <summary>The layer of type <paramref name="type"/> with <paramref name="settings"/>, or null for a type this library does not have.</summary>
    public static LayerSpec? Read(string type, LayerSettings settings) => _byName.Value.TryGetValue(type, out var entry) ? entry.Read(settings) : null;

    /// <summary>The ONNX operators the layer types read, each with its reader.</summary>
    public static IReadOnlyDictionary<string, OnnxReader> OnnxReaders => _onnx.Value;
}
