using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Tasks;

/// <summary>Generated digits with the labels the binary and regression tests learn: whether the digit is below 5, and the digit as a number.</summary>
internal static class TaskData
{
    public sealed class Row
    {
        /// <summary>Whether the digit is 0 to 4.</summary>
        public bool Label { get; set; }

        /// <summary>The digit as a number, 0 to 9.</summary>
        public float Value { get; set; }

        [VectorType(1, 28, 28)] public float[] Features { get; set; }
    }

    public static List<Row> Rows(int rows, int seed, Func<int, float> value = null)
    {
        var digits = GeneratedDigits.Generate(rows, seed);
        return Enumerable.Range(0, rows).Select(i => new Row
        {
            Label = digits.Labels[i] < 5,
            Value = value?.Invoke(digits.Labels[i]) ?? digits.Labels[i],
            Features = digits.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => p * MnistDataset.PixelScale).ToArray(),
        }).ToList();
    }

    public static IDataView Load(MLContext ml, int rows, int seed = 1, Func<int, float> value = null) => ml.Data.LoadFromEnumerable(Rows(rows, seed, value));

    /// <summary>The data with the regression's label as "Label" (the binary label dropped).</summary>
    public static IDataView ForRegression(MLContext ml, int rows, int seed = 1, Func<int, float> value = null)
    {
        var data = Load(ml, rows, seed, value);
        return ml.Transforms.DropColumns("Label").Append(ml.Transforms.CopyColumns("Label", "Value")).Fit(data).Transform(data);
    }
}
