using System.Globalization;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet;

/// <summary>
/// How a network with pretrained layers (<see cref="Layers.LayerSpec.Pretrained"/>, such as
/// <see cref="PretrainedNetworks.ResNet18"/>) is fine-tuned, as the field does it: first only the new layers (the
/// classifier head) train, with the pretrained ones frozen, so the head's random start does not wreck what they learned;
/// then the pretrained layers train too, more gently. Pretrained BatchNormalization layers keep the statistics they were
/// trained with. The defaults work without tuning (docs/transfer-learning.md measures them).
/// </summary>
public sealed record FineTuning
{
    private readonly int _headEpochs = 1;
    private readonly double _backboneFactor = 0.1;

    /// <summary>What a network with pretrained layers gets when <c>ConvNetTrainer.Options.FineTuning</c> is null.</summary>
    public static FineTuning Default { get; } = new();

    /// <summary>Epochs at the start that train only the layers that are not pretrained; 0 or more. Defaults to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public int HeadEpochs
    {
        get => _headEpochs;
        init => _headEpochs = Ranges.Check(value, value >= 0, nameof(HeadEpochs), "0 or more");
    }

    /// <summary>
    /// The pretrained layers' learning rate once they train, as a share of the trainer's (and of its schedule's); in
    /// (0, 1]. Defaults to 0.1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside (0, 1].</exception>
    public double BackboneLearningRateFactor
    {
        get => _backboneFactor;
        init => _backboneFactor = Ranges.Check(value, value is > 0 and <= 1, nameof(BackboneLearningRateFactor), "in (0, 1]");
    }

    /// <summary>
    /// The first pretrained layer that trains after the head epochs, by name (as the summary shows it): it and every
    /// pretrained layer after it train, those before it stay frozen. Defaults to null: every pretrained layer trains.
    /// </summary>
    public string? UnfreezeFrom { get; init; }

    /// <summary>
    /// Whether pretrained BatchNormalization layers keep their running statistics and normalise with them while training
    /// (their scale and shift still train once unfrozen), as Keras recommends for fine-tuning. Defaults to true.
    /// </summary>
    public bool FreezeBatchNormalization { get; init; } = true;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"head epochs {HeadEpochs}, backbone rate x {BackboneLearningRateFactor}, unfreeze from {UnfreezeFrom ?? "the first layer"}, batch normalization {(FreezeBatchNormalization ? "frozen" : "training")}");
}
