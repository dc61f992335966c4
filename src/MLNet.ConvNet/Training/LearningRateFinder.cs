using MLNet.ConvNet.Common;

namespace MLNet.ConvNet;

/// <summary>
/// How <see cref="ConvNetTrainer.FindLearningRate"/> searches, as fastai's <c>lr_find</c> (after Smith, 2017): the
/// learning rate grows by the same factor every batch from <see cref="StartRate"/> to <see cref="EndRate"/> over
/// <see cref="Steps"/> batches, the loss is smoothed, and the search stops once the smoothed loss exceeds
/// <see cref="DivergenceFactor"/> times its lowest.
/// </summary>
public sealed record LearningRateFinder
{
    private readonly double _startRate = 1e-7;
    private readonly double _endRate = 10;
    private readonly int _steps = 100;
    private readonly double _divergenceFactor = 4;
    private readonly double _smoothing = 0.98;

    /// <summary>The first batch's learning rate. Defaults to 1e-7 (fastai's).</summary>
    public double StartRate
    {
        get => _startRate;
        init => _startRate = Ranges.Check(value, value > 0 && double.IsFinite(value), nameof(StartRate), "a positive finite number");
    }

    /// <summary>The last batch's learning rate; above <see cref="StartRate"/>. Defaults to 10 (fastai's).</summary>
    public double EndRate
    {
        get => _endRate;
        init => _endRate = Ranges.Check(value, value > 0 && double.IsFinite(value), nameof(EndRate), "a positive finite number");
    }

    /// <summary>The most batches the search trains; at least 10. Defaults to 100 (fastai's).</summary>
    public int Steps
    {
        get => _steps;
        init => _steps = Ranges.Check(value, value >= 10, nameof(Steps), "at least 10");
    }

    /// <summary>The search stops once the smoothed loss exceeds this many times its lowest; above 1. Defaults to 4 (fastai's).</summary>
    public double DivergenceFactor
    {
        get => _divergenceFactor;
        init => _divergenceFactor = Ranges.Check(value, value > 1 && double.IsFinite(value), nameof(DivergenceFactor), "above 1");
    }

    /// <summary>The loss's exponential smoothing, with bias correction; in [0, 1). Defaults to 0.98 (fastai's).</summary>
    public double Smoothing
    {
        get => _smoothing;
        init => _smoothing = Ranges.Check(value, value is >= 0 and < 1, nameof(Smoothing), "in [0, 1)");
    }

    internal void Check()
    {
        if (EndRate <= StartRate)
            throw new ArgumentOutOfRangeException(nameof(EndRate), EndRate, $"LearningRateFinder.EndRate must be above StartRate ({StartRate}); got {EndRate}.");
    }
}
