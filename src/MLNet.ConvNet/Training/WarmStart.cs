using System.Globalization;

namespace MLNet.ConvNet.Training;

/// <summary>
/// Where a warm start picks up a fitted network: its epochs (this run numbers on after them), and its optimizer's
/// state when this run can carry it on, so that two epochs and two more train as four straight would.
/// </summary>
/// <param name="History">The fitted run's epochs; the new run's history begins with them.</param>
/// <param name="LastEpoch">The fitted run's last epoch; this run trains the ones after it.</param>
/// <param name="OptimizerState">The optimizer state to load, or null for a fresh one.</param>
/// <param name="Settings">The fitted run's settings in words, when its model recorded them.</param>
/// <param name="Note">What the training log says about it.</param>
internal sealed record WarmStart(IReadOnlyList<EpochMetrics> History, int LastEpoch, byte[]? OptimizerState, string? Settings, string Note)
{
    /// <summary>The warm start from <paramref name="fitted"/> for a run of <paramref name="epochs"/> epochs with <paramref name="optimizer"/>.</summary>
    public static WarmStart From(TrainingRecord fitted, ConvNetOptimizer optimizer, int epochs)
    {
        int last = fitted.LastEpoch;
        string wanted = optimizer.ToString();
        var (state, why) = fitted.Optimizer switch
        {
            { } carried when carried.Optimizer == wanted => (carried.State, $"with the {optimizer.Name} state it ended with"),
            { } other => (null, $"with a fresh {optimizer.Name} state: the fitted network was trained with {other.Optimizer}, this trainer asks for {wanted}"),
            null when fitted.FinalEpoch != last => (null, $"with a fresh {optimizer.Name} state: early stopping gave the network epoch {fitted.FinalEpoch}'s weights, and the optimizer's state was epoch {last}'s"),
            null => (null, $"with a fresh {optimizer.Name} state: a model read from a file keeps no optimizer state (resume a checkpoint to keep it)"),
        };
        string note = string.Create(CultureInfo.InvariantCulture,
            $"Continuing a fitted network after its epoch {last}: epochs {last + 1} to {last + epochs}, {why}.");
        return new WarmStart(fitted.History, last, state, fitted.Settings, note);
    }
}
