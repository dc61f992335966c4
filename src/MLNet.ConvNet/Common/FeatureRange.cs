namespace MLNet.ConvNet;

/// <summary>The smallest and largest value seen in a features column.</summary>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
public readonly record struct FeatureRange(float Min, float Max)
{
    /// <summary>Whether the values look like raw bytes (up to 255) rather than pixels scaled to [0, 1].</summary>
    public bool LooksUnscaled => Max > 2f || Min < -0.5f;

    /// <summary>Widens the range to take in <paramref name="values"/>.</summary>
    internal static FeatureRange? Of(ReadOnlySpan<float> values, FeatureRange? so = null)
    {
        if (values.IsEmpty)
            return so;
        float min = so?.Min ?? float.PositiveInfinity, max = so?.Max ?? float.NegativeInfinity;
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return new FeatureRange(min, max);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Min:G4} to {Max:G4}";
}
