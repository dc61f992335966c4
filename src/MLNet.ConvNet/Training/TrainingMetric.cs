namespace MLNet.ConvNet;

/// <summary>A per-epoch metric that early stopping or a plateau schedule watches.</summary>
public enum TrainingMetric
{
    /// <summary>Mean training loss of the epoch (lower is better).</summary>
    Loss,
    /// <summary>Training accuracy of the epoch (higher is better).</summary>
    Accuracy,
    /// <summary>Loss on the validation data after the epoch (lower is better).</summary>
    ValidationLoss,
    /// <summary>Accuracy on the validation data after the epoch (higher is better).</summary>
    ValidationAccuracy,
}

internal static class TrainingMetrics
{
    public static bool IsValidation(this TrainingMetric metric) => metric is TrainingMetric.ValidationLoss or TrainingMetric.ValidationAccuracy;

    public static bool LowerIsBetter(this TrainingMetric metric) => metric is TrainingMetric.Loss or TrainingMetric.ValidationLoss;

    public static double Of(this TrainingMetric metric, EpochMetrics epoch) => metric switch
    {
        TrainingMetric.Loss => epoch.Loss,
        TrainingMetric.Accuracy => epoch.Accuracy,
        TrainingMetric.ValidationLoss => epoch.ValidationLoss ?? double.NaN,
        _ => epoch.ValidationAccuracy ?? double.NaN,
    };

    /// <summary>Whether <paramref name="value"/> beats <paramref name="best"/> by more than <paramref name="minDelta"/>.</summary>
    public static bool Improves(this TrainingMetric metric, double value, double? best, double minDelta)
        => best is not double b || (metric.LowerIsBetter() ? value < b - minDelta : value > b + minDelta);
}
