using MLNet.ConvNet.Architectures.Layers;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// A convolutional network described as data: an input shape and a list of layers. Adding an
/// architecture is one new file with a subclass, plus <see cref="ArchitectureRegistry.Register"/>.
/// </summary>
/// <remarks>
/// The last layer must be a <see cref="Dense"/> layer with <see cref="Activation.Softmax"/> and one unit
/// per class: <see cref="ConvNetModel"/> checks it. Sizes between layers are never written by hand:
/// the model runs a zero tensor through the layers to find them.
/// </remarks>
public abstract class ConvNetArchitecture
{
    /// <summary>The name the registry, the options and saved models know the architecture by.</summary>
    public abstract string Name { get; }

    /// <summary>The shape of one input image.</summary>
    public abstract ImageShape InputShape { get; }

    /// <summary>The number of epochs the trainer uses when the options give none.</summary>
    public abstract int DefaultEpochs { get; }

    /// <summary>The layers, first to last, for a classifier over <paramref name="numberOfClasses"/> classes.</summary>
    public abstract IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses);

    /// <inheritdoc />
    public override string ToString() => $"{Name} (input {InputShape})";
}

/// <summary>The shape of one image: channels, height and width, as the feature vector stores them (channel-major).</summary>
/// <param name="Channels">Number of channels (1 for grayscale).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>The length of the feature vector one image fills: channels x height x width.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
