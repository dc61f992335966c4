using Microsoft.ML;

namespace MLNet.ConvNet.Tests;

/// <summary>
/// The trained models that test classes share instead of each training its own: each is trained once per run, on
/// generated digits (no MNIST needed), the first time a test asks for it. Tests must not dispose or change them.
/// </summary>
internal static class TrainedModels
{
    /// <summary>The context the shared models were trained in; its seed is 1.</summary>
    public static MLContext Ml { get; } = new(seed: 1);

    private static readonly Lazy<ConvNetTransformer> _leNot = new(() =>
        Ml.MulticlassClassification.Trainers.ConvNet(architecture: "LeNot", epochs: 1).Fit(Training));

    private static readonly Lazy<ConvNetTransformer> _simpleConvNet = new(() =>
        Ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "SimpleConvNet", Epochs = 2 }).Fit(Training));

    /// <summary>LeNot, one epoch on <see cref="Training"/>.</summary>
    public static ConvNetTransformer LeNot => _leNot.Value;

    /// <summary>SimpleConvNet, two epochs on <see cref="Training"/>.</summary>
    public static ConvNetTransformer SimpleConvNet => _simpleConvNet.Value;

    /// <summary>The 1,000 generated digits (seed 1) the shared models were trained on.</summary>
    public static IDataView Training { get; } = TestData.Digits(Ml, 1000);
}
