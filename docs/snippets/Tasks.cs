// The complete program behind docs/tasks.md's blocks, which are lines of this file. The doc tests
// (test/MLNet.ConvNet.Tests/Docs) compile it; test/MLNet.ConvNet.Tests/Tasks trains every task it shows.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;

var ml = new MLContext(seed: 1);
IDataView train = ml.Data.LoadFromEnumerable(new List<Photo>());   // Features, Label (bool), Value (float), Tags (bool[3])
IDataView test = train;

{
    var trainer = ml.BinaryClassification.Trainers.ConvNet(new ConvNetTrainer.Options { ValidationFraction = 0.1 });   // Label: Boolean
    var model = trainer.Fit(train);
    var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));   // AUC, F1, log-loss, ...
    var calibration = (BinaryClassificationTask)model.Task;                  // Platt's slope and offset
}
{
    var trainer = ml.Regression.Trainers.ConvNet(new ConvNetTrainer.Options { LabelColumnName = "Value", RegressionLoss = RegressionLoss.Huber });
    var model = trainer.Fit(train);
    var metrics = ml.Regression.Evaluate(model.Transform(test), labelColumnName: "Value");   // MAE, RMSE, R²
}
{
    var trainer = ml.MulticlassClassification.Trainers.ConvNetMultiLabel(new ConvNetTrainer.Options { LabelColumnName = "Tags", ValidationFraction = 0.1, TuneTagThresholds = true });
    var model = trainer.Fit(train);
    var metrics = ml.MulticlassClassification.EvaluateMultiLabel(model.Transform(test), labelColumnName: "Tags");   // per-tag AUC and F1, micro/macro F1, Hamming loss
    var tagger = (MultiLabelClassificationTask)model.Task;                                                             // TagNames, Thresholds
}

internal sealed class Photo
{
    [VectorType(1, 28, 28)] public float[] Features { get; set; } = [];

    public bool Label { get; set; }

    public float Value { get; set; }

    [VectorType(3)] public bool[] Tags { get; set; } = [];
}
