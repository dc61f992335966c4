namespace MLNet.ConvNet.Tasks;

/// <summary>The count, mean and variance of the training labels, gathered one label at a time (Welford's update, in double).</summary>
internal sealed class LabelMoments
{
    private double _mean, _squares;

    public long Count { get; private set; }

    public double Mean => _mean;

    /// <summary>The population variance; 0 for fewer than two labels.</summary>
    public double Variance => Count < 2 ? 0 : _squares / Count;

    public void Add(float label)
    {
        Count++;
        double delta = label - _mean;
        _mean += delta / Count;
        _squares += delta * (label - _mean);
    }

    public static LabelMoments Of(ReadOnlySpan<float> labels)
    {
        var moments = new LabelMoments();
        foreach (float label in labels)
            moments.Add(label);
        return moments;
    }
}
