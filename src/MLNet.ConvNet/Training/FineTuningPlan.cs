using System.Globalization;
using MLNet.ConvNet.Architectures;
using TorchSharp.Modules;

namespace MLNet.ConvNet.Training;

/// <summary>
/// Fine-tuning a network with pretrained layers, epoch by epoch: which layers are frozen, which batch normalisations keep
/// their statistics, and the optimizer's two learning rates (the new layers' and the pretrained ones').
/// </summary>
internal sealed class FineTuningPlan
{
    private readonly ConvNetModule _model;
    private readonly FineTuning _rule;
    private readonly HashSet<string> _pretrained;
    private readonly HashSet<string> _frozenAfterHead;
    private readonly bool _hasHead;
    private bool? _headOnly;

    private FineTuningPlan(ConvNetModule model, FineTuning rule, HashSet<string> pretrained, HashSet<string> frozenAfterHead, bool hasHead)
    {
        _model = model;
        _rule = rule;
        _pretrained = pretrained;
        _frozenAfterHead = frozenAfterHead;
        _hasHead = hasHead;
    }

    /// <summary>The plan for <paramref name="model"/>, or null when it has no pretrained layers.</summary>
    /// <exception cref="ArgumentException"><see cref="FineTuning.UnfreezeFrom"/> names no pretrained layer.</exception>
    public static FineTuningPlan? For(ConvNetModule model, FineTuning rule)
    {
        var pretrained = model.PretrainedLayers;
        if (pretrained.Count == 0)
            return null;
        int from = 0;
        if (rule.UnfreezeFrom is { } name)
        {
            from = pretrained.ToList().IndexOf(name);
            if (from < 0)
            {
                throw new ArgumentException(
                    $"FineTuning.UnfreezeFrom is '{name}', which is no pretrained layer of {model.Architecture.Name}. Its pretrained layers, in order: {string.Join(", ", pretrained)}.",
                    "FineTuning");
            }
        }
        bool hasHead = model.ParametersOf(n => !pretrained.Contains(n)).Count > 0;
        return new FineTuningPlan(model, rule, pretrained.ToHashSet(StringComparer.Ordinal), pretrained.Take(from).ToHashSet(StringComparer.Ordinal), hasHead);
    }

    /// <summary>
    /// The optimizer: the new layers at the trainer's rate and the pretrained ones at <see cref="FineTuning.BackboneLearningRateFactor"/>
    /// times it, as two groups; <paramref name="factors"/> gives each group's share of the scheduled rate.
    /// </summary>
    public OptimizerHelper CreateOptimizer(ConvNetOptimizer settings, double learningRate, out IReadOnlyList<double> factors)
    {
        var body = _model.ParametersOf(_pretrained.Contains);
        double factor = _rule.BackboneLearningRateFactor;
        if (!_hasHead)
        {
            factors = [factor];
            return settings.Create(body, learningRate * factor);
        }
        var optimizer = settings.Create(_model.ParametersOf(n => !_pretrained.Contains(n)), learningRate);
        optimizer.add_param_group(settings.Group(body, learningRate * factor));
        factors = [1, factor];
        return optimizer;
    }

    /// <summary>Freezes and unfreezes for <paramref name="epoch"/>; returns a line for the log when that changes what trains.</summary>
    public string? Apply(int epoch)
    {
        bool headOnly = _hasHead && epoch <= _rule.HeadEpochs;
        var frozen = headOnly ? _pretrained : _frozenAfterHead;
        var kept = _rule.FreezeBatchNormalization ? _pretrained : frozen;
        _model.SetFrozen(frozen, kept);
        _model.train();
        if (_headOnly == headOnly)
            return null;
        _headOnly = headOnly;
        long trainable = _model.TrainableParameters, all = _model.ParametersOf(_ => true).Sum(p => p.numel());
        string statistics = _rule.FreezeBatchNormalization ? "; pretrained batch normalisations keep their statistics" : "";
        return headOnly
            ? string.Create(CultureInfo.InvariantCulture, $"Fine-tuning, epochs {epoch} to {_rule.HeadEpochs}: only the new layers train ({trainable:N0} of {all:N0} parameters); the {_pretrained.Count} pretrained layers are frozen{statistics}.")
            : string.Create(CultureInfo.InvariantCulture, $"Fine-tuning from epoch {epoch}: {trainable:N0} of {all:N0} parameters train, the pretrained ones at {_rule.BackboneLearningRateFactor:G4} x the learning rate{(_frozenAfterHead.Count > 0 ? $"; the {_frozenAfterHead.Count} pretrained layers before '{_rule.UnfreezeFrom}' stay frozen" : "")}{statistics}.");
    }
}
