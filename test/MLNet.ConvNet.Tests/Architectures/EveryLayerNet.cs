using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>
/// Every layer type and activation in one small network, registered in <see cref="TestSetup"/>, so that every test
/// over the registered architectures (summary, initialisation, training, save and load, ONNX export) covers them.
/// </summary>
public sealed class EveryLayerNet : ConvNetArchitecture
{
    public const string ArchitectureName = "EveryLayerNet";

    public override string Name => ArchitectureName;

    public override ImageShape InputShape => new(1, 28, 28);

    public override int DefaultEpochs => 2;

    public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
    [
        new Conv2D(16, 3, padding: ConvPadding.Same) { Activation = Activation.Elu },    // 16 x 28 x 28
        // Keras' momentum 0.99 needs hundreds of steps before the running statistics settle; tests train for dozens.
        new BatchNormalization(momentum: 0.9),
        new Conv2D(16, 4, padding: ConvPadding.Same) { Activation = Activation.Gelu },   // even kernel: padded 1 before, 2 after
        new Conv2D(32, 3, strides: 2),                                                   // 32 x 13 x 13
        new AveragePooling2D(2),                                                         // 32 x 6 x 6
        new Dropout(0.1),
        new Conv2D(32, 3) { Activation = Activation.LeakyRelu },                         // 32 x 4 x 4
        new GlobalAveragePooling2D(),                                                    // 32
        new BatchNormalization(momentum: 0.9),
        new Dense(64) { Activation = Activation.Tanh },
        new Dropout(0.1),
        new Dense(32) { Activation = Activation.Sigmoid },
        new Dense(numberOfClasses) { Activation = Activation.Softmax },
    ];
}
