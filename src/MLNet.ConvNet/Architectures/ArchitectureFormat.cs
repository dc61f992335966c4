using System.Text;
using System.Text.Json;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// A <see cref="GraphArchitecture"/> as JSON, so a model keeps its whole architecture and loads without registering it:
/// <code>
/// { "format": 1, "name": "ResNet18", "input": [3, 224, 224], "defaultEpochs": 10,
///   "layers": [ { "type": "Conv2D", "name": "conv1", "inputs": ["input"], "activation": "Relu", "pretrained": true,
///                 "filters": 64, "kernelSize": 7, "strides": 2, "padding": [3, 2, 3, 2], "useBias": false }, ... ] }
/// </code>
/// "inputs" and "pretrained" appear only when set; "padding" is top, bottom, left, right. The weights are not here:
/// the model's Weights entry holds them. Only the built-in layer types are described.
/// </summary>
internal static class ArchitectureFormat
{
    private const int Version = 1;

    private static readonly Dictionary<string, Activation> _activations = new[]
    {
        Activation.None, Activation.Relu, Activation.Tanh, Activation.Sigmoid, Activation.Elu, Activation.LeakyRelu, Activation.Gelu, Activation.Softmax,
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>Whether every layer is a built-in type, so the architecture can be written.</summary>
    public static bool CanDescribe(GraphArchitecture architecture)
        => architecture.Layers.All(l => l.GetType().Assembly == typeof(LayerSpec).Assembly && _activations.ContainsKey(l.Activation.Name));

    public static string Write(GraphArchitecture architecture)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Version);
            json.WriteString("name", architecture.Name);
            WriteInts(json, "input", [architecture.InputShape.Channels, architecture.InputShape.Height, architecture.InputShape.Width]);
            json.WriteNumber("defaultEpochs", architecture.DefaultEpochs);
            json.WriteStartArray("layers");
            foreach (var layer in architecture.Layers)
                WriteLayer(json, layer);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteLayer(Utf8JsonWriter json, LayerSpec layer)
    {
        json.WriteStartObject();
        json.WriteString("type", layer.TypeName);
        if (layer.Name is not null)
            json.WriteString("name", layer.Name);
        if (layer.Inputs is not null)
        {
            json.WriteStartArray("inputs");
            foreach (var input in layer.Inputs)
                json.WriteStringValue(input);
            json.WriteEndArray();
        }
        json.WriteString("activation", layer.Activation.Name);
        if (layer.Pretrained)
            json.WriteBoolean("pretrained", true);
        switch (layer)
        {
            case Conv2D c:
                json.WriteNumber("filters", c.Filters);
                json.WriteNumber("kernelSize", c.KernelSize);
                json.WriteNumber("strides", c.Strides);
                json.WriteString("convPadding", c.Padding.ToString());
                WritePadding(json, c.ExplicitPadding);
                json.WriteBoolean("useBias", c.UseBias);
                break;
            case MaxPooling2D m:
                json.WriteNumber("poolSize", m.PoolSize);
                json.WriteNumber("strides", m.Strides);
                WritePadding(json, m.ExplicitPadding);
                break;
            case AveragePooling2D a:
                json.WriteNumber("poolSize", a.PoolSize);
                json.WriteNumber("strides", a.Strides);
                WritePadding(json, a.ExplicitPadding);
                break;
            case ZeroPadding2D z:
                json.WriteNumber("padding", z.Padding);
                break;
            case Dense d:
                json.WriteNumber("units", d.Units);
                break;
            case Dropout d:
                json.WriteNumber("rate", d.Rate);
                break;
            case BatchNormalization b:
                json.WriteNumber("momentum", b.Momentum);
                json.WriteNumber("epsilon", b.Epsilon);
                break;
            case PixelNormalization p:
                WriteFloats(json, "mean", p.Mean);
                WriteFloats(json, "standardDeviation", p.StandardDeviation);
                json.WriteNumber("scale", p.Scale);
                WriteInts(json, "channelOrder", p.ChannelOrder);
                if (p.MeanImageSize is var (h, w))
                    WriteInts(json, "meanImageSize", [h, w]);
                break;
            case GlobalAveragePooling2D or Flatten or Add or Identity:
                break;
            default:
                throw new NotSupportedException($"Layer type {layer.TypeName} ({layer.GetType().FullName}) cannot be described; only the built-in layer types can.");
        }
        json.WriteEndObject();
    }

    /// <exception cref="InvalidDataException">The text is not a description this code reads.</exception>
    public static GraphArchitecture Read(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            int format = root.GetProperty("format").GetInt32();
            if (format != Version)
                throw new InvalidDataException($"The model describes its architecture in format {format}; this MLNet.ConvNet reads format {Version}. Update MLNet.ConvNet.");
            var input = Ints(root.GetProperty("input"));
            var layers = root.GetProperty("layers").EnumerateArray().Select(ReadLayer).ToList();
            return new GraphArchitecture(root.GetProperty("name").GetString()!, new ImageShape(input[0], input[1], input[2]), layers, root.GetProperty("defaultEpochs").GetInt32());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"The model's architecture description cannot be read ({e.Message}); the file is corrupt.", e);
        }
    }

    private static LayerSpec ReadLayer(JsonElement layer)
    {
        string type = layer.GetProperty("type").GetString()!;
        int Int(string name) => layer.GetProperty(name).GetInt32();
        LayerSpec spec = type switch
        {
            "Conv2D" => new Conv2D(Int("filters"), Int("kernelSize"), Int("strides"), Enum.Parse<ConvPadding>(layer.GetProperty("convPadding").GetString()!))
            {
                ExplicitPadding = ReadPadding(layer),
                UseBias = layer.GetProperty("useBias").GetBoolean(),
            },
            "MaxPooling2D" => new MaxPooling2D(Int("poolSize")) { Strides = Int("strides"), ExplicitPadding = ReadPadding(layer) },
            "AveragePooling2D" => new AveragePooling2D(Int("poolSize"), Int("strides")) { ExplicitPadding = ReadPadding(layer) },
            "ZeroPadding2D" => new ZeroPadding2D(Int("padding")),
            "Dense" => new Dense(Int("units")),
            "Dropout" => new Dropout(layer.GetProperty("rate").GetDouble()),
            "BatchNormalization" => new BatchNormalization(layer.GetProperty("momentum").GetDouble(), layer.GetProperty("epsilon").GetDouble()),
            "PixelNormalization" => new PixelNormalization(Floats(layer.GetProperty("mean")), Floats(layer.GetProperty("standardDeviation")),
                layer.GetProperty("scale").GetSingle(), Ints(layer.GetProperty("channelOrder")))
            {
                MeanImageSize = layer.TryGetProperty("meanImageSize", out var size) && Ints(size) is [int h, int w] ? (h, w) : null,
            },
            "GlobalAveragePooling2D" => new GlobalAveragePooling2D(),
            "Flatten" => new Flatten(),
            "Add" => new Add(),
            "Identity" => new Identity(),
            _ => throw new InvalidDataException($"The model's architecture has a layer of type '{type}', which this MLNet.ConvNet does not know."),
        };
        return With(spec, layer);
    }

    /// <summary>The settings every layer has: name, inputs, activation and whether it is pretrained.</summary>
    private static LayerSpec With(LayerSpec spec, JsonElement layer)
    {
        string? name = layer.TryGetProperty("name", out var n) ? n.GetString() : null;
        IReadOnlyList<string>? inputs = layer.TryGetProperty("inputs", out var i) ? i.EnumerateArray().Select(x => x.GetString()!).ToList() : null;
        string activation = layer.GetProperty("activation").GetString()!;
        bool pretrained = layer.TryGetProperty("pretrained", out var p) && p.GetBoolean();
        if (!_activations.TryGetValue(activation, out var a))
            throw new InvalidDataException($"The model's architecture uses the activation '{activation}', which this MLNet.ConvNet does not know.");
        return spec.With(name, inputs, a, pretrained);
    }

    private static void WritePadding(Utf8JsonWriter json, Padding2D? padding)
    {
        if (padding is { } p)
            WriteInts(json, "padding", [p.Top, p.Bottom, p.Left, p.Right]);
    }

    private static Padding2D? ReadPadding(JsonElement layer)
        => layer.TryGetProperty("padding", out var p) && Ints(p) is [int top, int bottom, int left, int right] ? new Padding2D(top, bottom, left, right) : null;

    private static void WriteInts(Utf8JsonWriter json, string name, IEnumerable<int> values)
    {
        json.WriteStartArray(name);
        foreach (int v in values)
            json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    private static void WriteFloats(Utf8JsonWriter json, string name, IEnumerable<float> values)
    {
        json.WriteStartArray(name);
        foreach (float v in values)
            json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(x => x.GetSingle()).ToArray();
}
