using Microsoft.ML.Data;

namespace MLNet.ConvNet.Common;

/// <summary>
/// The row-level twin of <see cref="SchemaChecks"/>: copies one row's feature vector into place and says what is
/// wrong with it. Training, batched scoring and single-row scoring all read features through here, so they refuse
/// the same rows with the same words.
/// </summary>
internal static class FeatureRows
{
    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="target"/>; returns null, or the reason the row is refused
    /// (another length than <paramref name="target"/>'s, or a NaN or infinite value). Each caller throws its own way.
    /// </summary>
    public static string? CopyChecked(in VBuffer<float> source, Span<float> target, long row, string column)
    {
        if (source.Length != target.Length)
            return $"Row {row} of column '{column}' has {source.Length} values; expected {target.Length}.";
        source.CopyTo(target);
        for (int i = 0; i < target.Length; i++)
        {
            if (!float.IsFinite(target[i]))
                return $"Row {row} of column '{column}' has {target[i]} at index {i}; features must be finite numbers (pixels scaled to [0, 1]).";
        }
        return null;
    }
}
