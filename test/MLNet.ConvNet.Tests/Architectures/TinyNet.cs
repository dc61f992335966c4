using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>
/// A third architecture, written as a user would: one file and one Register call (in <see cref="TestSetup"/>).
/// Every test that runs over <see cref="ArchitectureRegistry.All"/> covers it without new test code.
/// </summary>
public sealed class TinyNet : ConvNetArchitecture
{
    public const string ArchitectureName = "TinyNet";

    public override string Name => ArchitectureName;

    public override ImageShape InputShape => new(1, 28, 28);

    public override int DefaultEpochs => 2;

    public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
    [
        new Conv2D(8, 3) { Activation = Activation.Relu },
        new MaxPooling2D(2),
        new Flatten(),
        new Dense(numberOfClasses) { Activation = Activation.Softmax },
    ];
}
