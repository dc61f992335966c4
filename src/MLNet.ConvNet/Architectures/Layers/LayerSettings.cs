using System.Text.Json.Nodes;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// One layer's own settings in the model's architecture description (Architectures/ArchitectureFormat.cs lays out the
/// whole; the settings every layer has are its): what a built-in layer writes in <see cref="LayerSpec.WriteSettings"/>
/// and reads back in its <see cref="IBuiltInLayer"/> reader, by the names it chooses.
/// </summary>
internal sealed class LayerSettings(JsonObject json)
{
    public void Set(string name, int value) => json[name] = value;

    public void Set(string name, double value) => json[name] = value;

    public void Set(string name, float value) => json[name] = value;

    public void Set(string name, bool value) => json[name] = value;

    public void Set(string name, string value) => json[name] = value;

    public void Set(string name, IEnumerable<int> values) => json[name] = new JsonArray(values.Select(v => (JsonNode)v).ToArray());

    public void Set(string name, IEnumerable<float> values) => json[name] = new JsonArray(values.Select(v => (JsonNode)v).ToArray());

    /// <summary>Padding as top, bottom, left, right; nothing when there is none.</summary>
    public void SetPadding(string name, Padding2D? padding)
    {
        if (padding is { } p)
            Set(name, [p.Top, p.Bottom, p.Left, p.Right]);
    }

    public bool Has(string name) => json.ContainsKey(name);

    /// <exception cref="KeyNotFoundException">The setting is missing (the reader reports the description as corrupt).</exception>
    public int Int(string name) => Node(name).GetValue<int>();

    public int Int(string name, int otherwise) => Has(name) ? Int(name) : otherwise;

    public double Double(string name) => Node(name).GetValue<double>();

    public float Single(string name) => Node(name).GetValue<float>();

    public bool Bool(string name) => Node(name).GetValue<bool>();

    public bool Bool(string name, bool otherwise) => Has(name) ? Bool(name) : otherwise;

    public string Text(string name) => Node(name).GetValue<string>();

    public int[] Ints(string name) => Node(name).AsArray().Select(v => v!.GetValue<int>()).ToArray();

    public float[] Floats(string name) => Node(name).AsArray().Select(v => v!.GetValue<float>()).ToArray();

    public Padding2D? Padding(string name) => Has(name) && Ints(name) is [int top, int bottom, int left, int right] ? new Padding2D(top, bottom, left, right) : null;

    private JsonNode Node(string name) => json[name] ?? throw new KeyNotFoundException($"The layer has no setting '{name}'.");
}
