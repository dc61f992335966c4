using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>Generated digits with three tags each: "small" (0 to 4), "even" and "loop" (0, 6, 8, 9: a closed loop).</summary>
internal static class TagData
{
    public static readonly string[] Tags = ["small", "even", "loop"];

    public sealed class Row
    {
        [VectorType(3)] public bool[] Label { get; set; }

        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    public static bool[] TagsOf(int digit) => [digit < 5, digit % 2 == 0, digit is 0 or 6 or 8 or 9];

    public static List<Row> Rows(int rows, int seed)
    {
        var digits = GeneratedDigits.Generate(rows, seed);
        return Enumerable.Range(0, rows).Select(i => new Row
        {
            Label = TagsOf(digits.Labels[i]),
            Features = digits.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray(),
        }).ToList();
    }

    /// <summary>The rows, with the tags' names as the label's slot names, as ML.NET's vector columns carry them.</summary>
    public static IDataView Load(MLContext ml, int rows, int seed = 1)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        var names = new VBuffer<ReadOnlyMemory<char>>(Tags.Length, Tags.Select(t => t.AsMemory()).ToArray());
        schema["Label"].AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, Tags.Length));
        return ml.Data.LoadFromEnumerable(Rows(rows, seed), schema);
    }
}
