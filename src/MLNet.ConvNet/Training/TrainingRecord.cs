namespace MLNet.ConvNet.Training;

/// <summary>
/// What a fitted model remembers of its training, saved with it: the epochs, the epoch whose weights it holds, the
/// range of the features it saw, the augmentation, and the settings in words.
/// </summary>
/// <param name="History">Every epoch's metrics.</param>
/// <param name="FinalEpoch">The epoch whose weights the network holds.</param>
/// <param name="FeatureRange">The training features' range; null for models saved before format 0x00010003.</param>
/// <param name="Augmentation">The augmentation the training batches went through; null when none (or unknown, before format 0x00010004).</param>
/// <param name="Settings">The training settings in one line; null for models saved before format 0x00010004.</param>
internal sealed record TrainingRecord(IReadOnlyList<EpochMetrics> History, int FinalEpoch, FeatureRange? FeatureRange, ImageAugmentation? Augmentation, string? Settings);
