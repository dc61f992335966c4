namespace MLNet.ConvNet;

/// <summary>
/// What <see cref="ConvNetTrainer.FindLearningRate"/> found: the loss at each learning rate tried, and the rates it
/// suggests. <see cref="Suggested"/> is fastai's default, "valley": the rate two thirds down the longest stretch over
/// which the smoothed loss keeps falling (its first tenth and last five points left out, as fastai does).
/// </summary>
/// <param name="Rates">Each batch's learning rate, in order.</param>
/// <param name="Losses">The smoothed loss after each batch (exponential smoothing with bias correction).</param>
/// <param name="RawLosses">Each batch's loss as computed.</param>
/// <param name="Suggested">The valley's rate: the one to train with.</param>
/// <param name="Steepest">Where the smoothed loss falls fastest against the logarithm of the rate.</param>
/// <param name="MinimumOverTen">The rate of the lowest smoothed loss, divided by 10 (fastai's older rule).</param>
/// <param name="Diverged">Whether the search stopped because the loss diverged, rather than after its last step.</param>
public sealed record LearningRateFinding(
    IReadOnlyList<double> Rates, IReadOnlyList<double> Losses, IReadOnlyList<double> RawLosses,
    double Suggested, double Steepest, double MinimumOverTen, bool Diverged)
{
    /// <summary>The finding for a curve, with its suggestions.</summary>
    internal static LearningRateFinding From(IReadOnlyList<double> rates, IReadOnlyList<double> losses, IReadOnlyList<double> raw, bool diverged)
    {
        if (rates.Count < 2)
            throw new InvalidOperationException($"The learning-rate search trained {rates.Count} batch{(rates.Count == 1 ? "" : "es")} before the loss diverged: too few for a curve. Lower StartRate.");
        int lowest = Enumerable.Range(0, losses.Count).MinBy(i => losses[i]);
        return new LearningRateFinding(rates, losses, raw, rates[ValleyIndex(losses)], rates[SteepestIndex(rates, losses)], rates[lowest] / 10, diverged);
    }

    /// <summary>
    /// fastai's valley: the longest decreasing run (not necessarily contiguous) of the losses between the first tenth
    /// and the last five, and the point two thirds down it (its start plus a third and a sixth of its length).
    /// </summary>
    internal static int ValleyIndex(IReadOnlyList<double> losses)
    {
        int from = losses.Count / 10, to = Math.Max(from + 2, losses.Count - 5);
        int n = to - from;
        var run = new int[n];
        int end = 0;
        for (int i = 0; i < n; i++)
        {
            run[i] = 1;
            for (int j = 0; j < i; j++)
            {
                if (losses[from + i] < losses[from + j] && run[i] < run[j] + 1)
                    run[i] = run[j] + 1;
            }
            if (run[end] < run[i])
                end = i;
        }
        // fastai's arithmetic: the run's start is taken one before its first point.
        int start = end - run[end];
        double sections = (end - start) / 3.0;
        return from + start + (int)sections + (int)(sections / 2);
    }

    /// <summary>The index where the smoothed loss falls fastest against log(rate), between the first tenth and the last five points.</summary>
    internal static int SteepestIndex(IReadOnlyList<double> rates, IReadOnlyList<double> losses)
    {
        int from = Math.Max(1, losses.Count / 10), to = Math.Max(from + 1, losses.Count - 5);
        int best = from;
        double steepest = double.MaxValue;
        for (int i = from; i < to && i < losses.Count; i++)
        {
            double slope = (losses[i] - losses[i - 1]) / (Math.Log(rates[i]) - Math.Log(rates[i - 1]));
            if (slope < steepest)
            {
                steepest = slope;
                best = i;
            }
        }
        return best;
    }
}
