using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet;

/// <summary>
/// The LeNet-5-like network of the Keras MNIST tutorial: 28x28 padded to 32x32, two 5x5 convolutions
/// (6 and 16 filters) each followed by a 2x2 max-pool, then Dense(120), Dense(84) and the softmax
/// classifier. 61,706 parameters for 10 classes; docs/architectures.md derives every count.
/// </summary>
public sealed class LeNot : ConvNetArchitecture
{
    /// <summary>The registry name, <c>LeNot</c>.</summary>
    public const string ArchitectureName = "LeNot";

    /// <inheritdoc />
    public override string Name => ArchitectureName;

    /// <inheritdoc />
    public override ImageShape InputShape => new(1, 28, 28);

    /// <inheritdoc />
    public override int DefaultEpochs => 10;

    /// <inheritdoc />
    public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
    [
        new ZeroPadding2D(2),
        new Conv2D(6, 5) { Activation = Activation.Relu },
        new MaxPooling2D(2),
        new Conv2D(16, 5) { Activation = Activation.Relu },
        new MaxPooling2D(2),
        new Flatten(),
        new Dense(120) { Activation = Activation.Relu },
        new Dense(84) { Activation = Activation.Relu },
        new Dense(numberOfClasses) { Activation = Activation.Softmax },
    ];
}
