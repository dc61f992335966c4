// The complete program behind docs/training.md's blocks (and transfer-learning.md's own-backbone lines), which are lines of this file, each option set in a scope of
// its own. The doc tests (test/MLNet.ConvNet.Tests/Docs) compile it; every setting it shows is also trained in
// test/MLNet.ConvNet.Tests/Training.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

var ml = new MLContext(seed: 1);
IDataView train = MnistDataset.Load(ml, null, MnistSplit.Train, maxRows: 2000);   // Label (key), Features
IDataView data = MnistDataset.Load(ml, null, MnistSplit.Train, maxRows: 1000).AsRawLabels(ml);
IDataView moreData = MnistDataset.Load(ml, null, MnistSplit.Test, maxRows: 1000).AsRawLabels(ml);

{
    var options = new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 20, ValidationFraction = 0.1 };
}
{
    var options = new ConvNetTrainer.Options { Epochs = 30, ValidationFraction = 0.1, Patience = 3 };   // early stopping is on
}
{
    // Count the rare class three times as much:
    var options = new ConvNetTrainer.Options { ExampleWeightColumnName = "Weight" };
}
{
    var options = new ConvNetTrainer.Options { Optimizer = new SgdOptimizer(momentum: 0.9, nesterov: true), LearningRate = 0.05 };
}
{
    var options = new ConvNetTrainer.Options { Epochs = 10, LearningRateSchedule = LearningRateSchedule.OneCycle(maxLearningRate: 0.003) };
}
{
    var options = new ConvNetTrainer.Options
    {
        Architecture = "SimpleConvNet", Epochs = 30,
        Augmentation = new ImageAugmentation { RotationDegrees = 10, WidthShift = 0.1, HeightShift = 0.1, Zoom = 0.1 },
    };
}
{
    var options = new ConvNetTrainer.Options { Epochs = 20, CheckpointDirectory = "checkpoints", ResumeFromCheckpoint = true };
    var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);   // run it again after a crash: it continues
}
{
    var model = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.MulticlassClassification.Trainers.ConvNet(epochs: 2))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
        .Fit(data);

    var convNet = model.GetConvNet();
    var keyed = model.First().Transform(moreData);    // the fitted MapValueToKey
    var continued = ml.MulticlassClassification.Trainers.ConvNet(epochs: 2).Fit(keyed, convNet.Model);
    var updated = new TransformerChain<ITransformer>(model.First(), continued, model.Last());
    ml.Model.Save(updated, data.Schema, "model.zip");
}
{
    var options = ConvNetTrainer.Options.AugmentedRecipe("LeNot");   // or "SimpleConvNet", or an architecture of your own
}
{
    var options = new ConvNetTrainer.Options
    {
        Architecture = "LeNot",
        Epochs = 50,
        BatchSize = 128,
        Optimizer = new AdamOptimizer(),                             // beta1 0.9, beta2 0.999, epsilon 1e-7
        LearningRate = 0.005,                                        // the one-cycle peak
        LearningRateSchedule = LearningRateSchedule.OneCycle(),      // warm-up over 30% of the batches, cosine down to 0.005 / 25 / 1e4
        Augmentation = ImageAugmentation.Automatic,                  // digits: rotation ±10°, shifts ±10%, zoom ±10%; colour: and a mirror
        EarlyStopping = false,                                       // the one-cycle schedule runs its whole length
    };
}

{
    var options = new ConvNetTrainer.Options
    {
        Architecture = "SimpleConvNet", Epochs = 30,
        LabelSmoothing = 0.1,                                        // teach 0.91 for the class, 0.01 for each other
        Mixing = BatchMixing.MixUpOrCutMix(),                        // timm's: mixup α 0.8 or cutmix α 1, half the batches each
        Callbacks = { new StopAt(0.99) },                            // yours, after the library's own
    };
}

{
    var trainer = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot" });
    LearningRateFinding found = trainer.FindLearningRate(train);        // fastai's lr_find: 1e-7 to 10 over 100 batches
    Console.WriteLine($"suggested {found.Suggested:G3} (steepest {found.Steepest:G3}, minimum / 10 {found.MinimumOverTen:G3})");
}

if (File.Exists("mobilenet_v2.onnx"))   // transfer-learning.md: a torchvision network exported with its ImageNet weights
{
    var backbone = PretrainedNetworks.FromOnnx("mobilenet_v2.onnx", PretrainedNetworks.TorchvisionImageNet);
    ArchitectureRegistry.Register(backbone);
    var options = ConvNetTrainer.Options.FineTuningRecipe(backbone.Name, trainingImages: 600);
}

// Stops training once the validation accuracy reaches a target.
sealed class StopAt(double accuracy) : TrainingCallback
{
    public override void OnEpochEnded(EpochMetrics metrics, TrainingControl control)
    {
        if (metrics.ValidationAccuracy >= accuracy)
            control.Stop($"validation accuracy {metrics.ValidationAccuracy:P1} reached {accuracy:P0}");
    }
}

internal static class RawLabels
{
    // The MNIST labels as text, as raw data arrives: the warm-start block keys them itself.
    public static IDataView AsRawLabels(this IDataView keyed, MLContext ml)
        => ml.Transforms.Conversion.MapKeyToValue("Label").Fit(keyed).Transform(keyed);
}
