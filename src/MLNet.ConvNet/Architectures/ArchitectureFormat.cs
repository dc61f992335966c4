using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// A <see cref="GraphArchitecture"/> as JSON, so a model keeps its whole architecture and loads without registering it:
/// <code>
/// { "format": 1, "name": "ResNet18", "input": [3, 224, 224], "defaultEpochs": 10,
///   "layers": [ { "type": "Conv2D", "name": "conv1", "inputs": ["input"], "activation": "Relu", "pretrained": true,
///                 "filters": 64, "kernelSize": 7, "strides": 2, "padding": [3, 2, 3, 2], "useBias": false }, ... ] }
/// </code>
/// "type", "name", "inputs", "activation" and "pretrained" are every layer's ("inputs" and "pretrained" appear only when
/// set); the rest are the layer type's own, which it writes and reads itself (<see cref="LayerSpec.WriteSettings"/>,
/// <see cref="IBuiltInLayer.Read"/>; a padding is top, bottom, left, right). The weights are not here: the model's
/// Weights entry holds them. Only the built-in layer types (<see cref="LayerTypes"/>) are described.
/// </summary>
internal static class ArchitectureFormat
{
    private const int Version = 1;

    private static IReadOnlyDictionary<string, Activation> _activations => Activation.ByName;

    /// <summary>Whether every layer is a built-in type, so the architecture can be written.</summary>
    public static bool CanDescribe(GraphArchitecture architecture)
        => architecture.Layers.All(l => LayerTypes.IsBuiltIn(l) && _activations.ContainsKey(l.Activation.Name));

    public static string Write(GraphArchitecture architecture)
    {
        var layers = new JsonArray();
        foreach (var layer in architecture.Layers)
            layers.Add(WriteLayer(layer));
        var root = new JsonObject
        {
            ["format"] = Version,
            ["name"] = architecture.Name,
            ["input"] = new JsonArray(architecture.InputShape.Channels, architecture.InputShape.Height, architecture.InputShape.Width),
            ["defaultEpochs"] = architecture.DefaultEpochs,
            ["layers"] = layers,
        };
        return root.ToJsonString();
    }

    /// <summary>The settings every layer has, then the layer type's own (<see cref="LayerSpec.WriteSettings"/>).</summary>
    private static JsonObject WriteLayer(LayerSpec layer)
    {
        if (!LayerTypes.IsBuiltIn(layer))
            throw new NotSupportedException($"Layer type {layer.TypeName} ({layer.GetType().FullName}) cannot be described; only the built-in layer types can.");
        var json = new JsonObject { ["type"] = layer.TypeName };
        if (layer.Name is not null)
            json["name"] = layer.Name;
        if (layer.Inputs is not null)
            json["inputs"] = new JsonArray(layer.Inputs.Select(i => (JsonNode)i).ToArray());
        json["activation"] = layer.Activation.Name;
        if (layer.Pretrained)
            json["pretrained"] = true;
        layer.WriteSettings(new LayerSettings(json));
        return json;
    }

    /// <exception cref="InvalidDataException">The text is not a description this code reads.</exception>
    public static GraphArchitecture Read(string text)
    {
        try
        {
            var root = JsonNode.Parse(text)!.AsObject();
            int format = root["format"]!.GetValue<int>();
            if (format != Version)
                throw new InvalidDataException($"The model describes its architecture in format {format}; this MLNet.ConvNet reads format {Version}. Update MLNet.ConvNet.");
            var input = root["input"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
            var layers = root["layers"]!.AsArray().Select(l => ReadLayer(l!.AsObject())).ToList();
            return new GraphArchitecture(root["name"]!.GetValue<string>(), new ImageShape(input[0], input[1], input[2]), layers, root["defaultEpochs"]!.GetValue<int>());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException or IndexOutOfRangeException or NullReferenceException)
        {
            throw new InvalidDataException($"The model's architecture description cannot be read ({e.Message}); the file is corrupt.", e);
        }
    }

    private static LayerSpec ReadLayer(JsonObject layer)
    {
        string type = layer["type"]!.GetValue<string>();
        var spec = LayerTypes.Read(type, new LayerSettings(layer))
            ?? throw new InvalidDataException($"The model's architecture has a layer of type '{type}', which this MLNet.ConvNet does not know.");
        string? name = layer["name"]?.GetValue<string>();
        IReadOnlyList<string>? inputs = layer["inputs"]?.AsArray().Select(x => x!.GetValue<string>()).ToList();
        string activation = layer["activation"]!.GetValue<string>();
        bool pretrained = layer["pretrained"]?.GetValue<bool>() ?? false;
        if (!_activations.TryGetValue(activation, out var a))
            throw new InvalidDataException($"The model's architecture uses the activation '{activation}', which this MLNet.ConvNet does not know.");
        return spec.With(name, inputs, a, pretrained);
    }
}
