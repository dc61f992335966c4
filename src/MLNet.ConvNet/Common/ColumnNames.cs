namespace MLNet.ConvNet.Common;

/// <summary>The columns a transformer reads and writes.</summary>
internal sealed record ColumnNames(string Features, string Label, string Score, string PredictedLabel)
{
    /// <summary>The binary classifier's calibrated probability column; ML.NET's binary trainers name it so, always.</summary>
    public const string Probability = "Probability";
}
