namespace MLNet.ConvNet.Common;

/// <summary>The columns a transformer reads and writes.</summary>
internal sealed record ColumnNames(string Features, string Label, string Score, string PredictedLabel);
