using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>The timing helpers every benchmark uses.</summary>
internal static class Measure
{
    /// <summary>The seconds <paramref name="action"/> takes.</summary>
    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The median; for an even count, the mean of the middle two.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Reads every row's Score, so that scoring happens; nothing else is computed.</summary>
    public static void DrainScores(IDataView data)
    {
        using var cursor = data.GetRowCursor([data.Schema["Score"]]);
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema["Score"]);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
            getter(ref value);
    }
}
