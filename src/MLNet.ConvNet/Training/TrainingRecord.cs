namespace MLNet.ConvNet.Training;

/// <summary>
/// What a fitted model remembers of its training, saved with it: the epochs, the epoch whose weights it holds, the
/// range of the features it saw, the augmentation, and the settings in words. The optimizer's state stays in memory
/// only, for a warm start in the same process; the model file does not keep it.
/// </summary>
/// <param name="History">Every epoch's metrics.</param>
/// <param name="FinalEpoch">The epoch whose weights the network holds.</param>
/// <param name="FeatureRange">The training features' range; null for models saved before format 0x00010003.</param>
/// <param name="Augmentation">The augmentation the training batches went through; null when none (or unknown, before format 0x00010004).</param>
/// <param name="Settings">The training settings in one line; null for models saved before format 0x00010004.</param>
/// <param name="Optimizer">The optimizer's state after the last epoch; null for a model read from a file, or whose weights are not the last epoch's.</param>
/// <param name="TestTimeAugmentation">What scoring averages over; None for models saved before format 0x00010006.</param>
internal sealed record TrainingRecord(IReadOnlyList<EpochMetrics> History, int FinalEpoch, FeatureRange? FeatureRange, ImageAugmentation? Augmentation, string? Settings,
    OptimizerState? Optimizer = null, TestTimeAugmentation TestTimeAugmentation = TestTimeAugmentation.None)
{
    /// <summary>The last epoch trained: a warm start numbers its epochs on from here.</summary>
    public int LastEpoch => History.Count > 0 ? History[^1].Epoch : FinalEpoch;
}

/// <summary>An optimizer's state as TorchSharp writes it, and the optimizer with its settings that wrote it.</summary>
/// <param name="Optimizer">The optimizer and its settings, as <see cref="ConvNetOptimizer.ToString"/> gives them.</param>
/// <param name="State">TorchSharp's <c>save_state_dict</c> bytes.</param>
internal sealed record OptimizerState(string Optimizer, byte[] State);
