namespace MLNet.ConvNet;

/// <summary>One tag's metrics over scored images (<see cref="MultiLabelMetrics.PerTag"/>).</summary>
/// <param name="Tag">The tag's name (the Score column's slot name, or its slot index).</param>
/// <param name="Positives">Images that have the tag.</param>
/// <param name="Auc">The area under the ROC curve of the tag's probability (ties count half); NaN when every image has the tag or none has.</param>
/// <param name="Precision">Of the images predicted to have the tag, the share that have it; 0 when none is predicted.</param>
/// <param name="Recall">Of the images that have the tag, the share predicted; 0 when none has it.</param>
/// <param name="F1">The harmonic mean of precision and recall, 2 TP / (2 TP + FP + FN); 0 when that is 0 / 0, as scikit-learn's default.</param>
public sealed record TagMetrics(string Tag, long Positives, double Auc, double Precision, double Recall, double F1);
