using MLNet.ConvNet.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>
/// <see cref="WeightAveraging"/> on the loop's seam: keeps the average on the network's device, one tensor per weight
/// and float buffer, and moves it after every step. The loop swaps it in for validation, early stopping and the end,
/// and saves it in checkpoints.
/// </summary>
internal sealed class WeightAverager : TrainingCallback, IDisposable
{
    private readonly WeightAveraging _settings;
    private readonly ConvNetModule _model;
    private readonly IReadOnlyList<(string Name, Tensor Tensor)> _live;
    private readonly List<Tensor> _average;

    public WeightAverager(WeightAveraging settings, ConvNetModule model)
    {
        _settings = settings;
        _model = model;
        _live = model.State();
        using (no_grad())
            _average = _live.Select(t => t.Tensor.detach().clone().DetachFromDisposeScope()).ToList();
    }

    /// <summary>The steps averaged so far.</summary>
    public long Steps { get; private set; }

    public override void OnStepTaken(TrainingBatch batch)
    {
        using var noGrad = no_grad();
        using Scalar keep = _settings.DecayAt(Steps).ToScalar(), take = (1 - _settings.DecayAt(Steps)).ToScalar();
        for (int i = 0; i < _average.Count; i++)
            _average[i].mul_(keep).add_(_live[i].Tensor, take);
        Steps++;
    }

    /// <summary>The average, as the network's weights are snapshot (CPU copies, by name).</summary>
    public IReadOnlyList<WeightTensor> Snapshot()
    {
        var result = new List<WeightTensor>(_average.Count);
        for (int i = 0; i < _average.Count; i++)
        {
            using var values = _average[i].detach().cpu().contiguous();
            result.Add(new WeightTensor(_live[i].Name, _average[i].shape, values.data<float>().ToArray()));
        }
        return result;
    }

    /// <summary>Puts a checkpoint's average back, with its step count.</summary>
    public void Restore(IReadOnlyList<WeightTensor> average, long steps)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _average.Count; i++)
        {
            using var source = tensor(average[i].Values, _average[i].shape);
            _average[i].copy_(source);
        }
        Steps = steps;
    }

    /// <summary>
    /// Loads the average into the network; returns the network's own weights, to put back with
    /// <see cref="ConvNetModule.LoadWeights"/>, and the average as loaded, for the epoch's checkpoint.
    /// </summary>
    public (IReadOnlyList<WeightTensor> Live, IReadOnlyList<WeightTensor> Average) SwapIn()
    {
        var live = _model.SnapshotWeights();
        var average = Snapshot();
        _model.LoadWeights(average);
        return (live, average);
    }

    public void Dispose()
    {
        foreach (var tensor in _average)
            tensor.Dispose();
    }
}
