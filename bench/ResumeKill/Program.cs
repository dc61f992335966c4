// dotnet ResumeKill.dll MNIST_DIR CHECKPOINTS: LeNot with a Dropout(0.5) before its classifier, 8 epochs on MNIST's first
// 2,000 training images with mixup or cutmix (timm's) and label smoothing 0.1, a checkpoint after every epoch, resuming
// from the newest. Prints the final weights' SHA-256 and the accuracy on the first 2,000 test images.
using System.Security.Cryptography;
using Microsoft.ML;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Layers;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ResumeKill MNIST_DIR CHECKPOINTS");
    return 2;
}
ArchitectureRegistry.Register(new LeNotWithDropout(), replace: true);
var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Message.Contains("] Epoch ", StringComparison.Ordinal) || e.Message.Contains("] Resumed from", StringComparison.Ordinal))
        Console.WriteLine(e.Message[(e.Message.IndexOf(']') + 2)..]);
};
var train = MnistDataset.Load(ml, args[0], MnistSplit.Train, maxRows: 2000);
var test = MnistDataset.Load(ml, args[0], MnistSplit.Test, maxRows: 2000);
var options = new ConvNetTrainer.Options
{
    Architecture = LeNotWithDropout.ArchitectureName, Epochs = 8, Seed = 7, LabelSmoothing = 0.1, Mixing = BatchMixing.MixUpOrCutMix(),
    // Every other random piece of training on as well: the geometric warp, the crop, the jitter, and the weight average.
    Augmentation = ImageAugmentation.Digits, RandomResizedCrop = new RandomResizedCrop { MinScale = 0.5 },
    ColorJitter = new ColorJitter { Brightness = 0.2, Contrast = 0.2 }, WeightAveraging = new WeightAveraging { Decay = 0.99 },
    CheckpointDirectory = args[1], ResumeFromCheckpoint = true,
};
using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
var weights = model.Model.GetWeights().SelectMany(w => w.Values).ToArray();
var hash = Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan())));
var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
Console.WriteLine($"weights {hash[..16]}, test accuracy {accuracy:P2}");
return 0;

sealed class LeNotWithDropout : ConvNetArchitecture
{
    public const string ArchitectureName = "LeNotWithDropout";

    public override string Name => ArchitectureName;

    public override ImageShape InputShape => new(1, 28, 28);

    public override int DefaultEpochs => 8;

    // LeNot's layers, with a Dropout(0.5) before its classifier.
    public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses)
    {
        var layers = new LeNot().CreateLayers(numberOfClasses).ToList();
        layers.Insert(layers.Count - 1, new Dropout(0.5));
        return layers;
    }
}
