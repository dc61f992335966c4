using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet;

/// <summary>
/// The small convnet of the Keras MNIST tutorial: three 3x3 convolutions (16, 32, 64 filters) with two
/// 2x2 max-pools between them, then Dense(64) and the softmax classifier. 60,874 parameters for 10
/// classes; docs/architectures.md derives every count.
/// </summary>
public sealed class SimpleConvNet : ConvNetArchitecture
{
    /// <summary>The registry name, <c>SimpleConvNet</c>.</summary>
    public const string ArchitectureName = "SimpleConvNet";

    /// <inheritdoc />
    public override string Name => ArchitectureName;

    /// <inheritdoc />
    public override ImageShape InputShape => new(1, 28, 28);

    /// <inheritdoc />
    public override int DefaultEpochs => 5;

    /// <inheritdoc />
    public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
    [
        new Conv2D(16, 3) { Activation = Activation.Relu },
        new MaxPooling2D(2),
        new Conv2D(32, 3) { Activation = Activation.Relu },
        new MaxPooling2D(2),
        new Conv2D(64, 3) { Activation = Activation.Relu },
        new Flatten(),
        new Dense(64) { Activation = Activation.Relu },
        new Dense(numberOfClasses) { Activation = Activation.Softmax },
    ];
}
