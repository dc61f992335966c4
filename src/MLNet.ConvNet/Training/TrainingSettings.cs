namespace MLNet.ConvNet.Training;

/// <summary>The resolved settings one training run uses (options with their defaults filled in).</summary>
internal sealed record TrainingSettings(
    int Epochs,
    int BatchSize,
    ConvNetOptimizer Optimizer,
    double LearningRate,
    double Rho,
    double Epsilon,
    double Beta1,
    double Beta2,
    double Momentum,
    bool Nesterov,
    double WeightDecay,
    LearningRateSchedule Schedule,
    int Seed,
    bool Shuffle,
    EarlyStoppingSettings EarlyStopping,
    string CheckpointDirectory,
    bool Resume,
    Action<EpochMetrics> EpochEnded,
    IProgress<TrainingProgress> Progress,
    TorchSharp.torch.Device Device)
{
    /// <summary>What a checkpoint must match to be resumed: everything that changes the trajectory.</summary>
    public string Fingerprint(string architecture, int classes, int trainingRows, int validationRows) =>
        $"architecture {architecture}, {classes} classes, {trainingRows} training rows, {validationRows} validation rows, " +
        $"epochs {Epochs}, batch {BatchSize}, {Optimizer} lr {LearningRate:R} rho {Rho:R} eps {Epsilon:R} betas {Beta1:R}/{Beta2:R} " +
        $"momentum {Momentum:R} nesterov {Nesterov} decay {WeightDecay:R}, schedule {Schedule}, seed {Seed}, shuffle {Shuffle}, " +
        $"early stopping {EarlyStopping?.ToString() ?? "off"}";
}
