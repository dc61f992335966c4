using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet;

/// <summary>
/// A convolutional network described as data: an input shape and a list of layers. Adding an
/// architecture is one new file with a subclass, plus <see cref="ArchitectureRegistry.Register"/>.
/// </summary>
/// <remarks>
/// The last layer must be a <see cref="Dense"/> layer with <see cref="Activation.Softmax"/> and one unit
/// per class: building the network checks it. Sizes between layers are never written by hand: the network
/// runs a zero tensor through the layers to find them.
/// </remarks>
public abstract class ConvNetArchitecture
{
    /// <summary>The name the registry, the options and saved models know the architecture by.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The shape of input image the architecture is written for: the one training uses when neither the features
    /// column nor <c>ConvNetTrainer.Options.InputShape</c> says otherwise. The layers are built for whatever shape
    /// training resolves (their sizes come from a dry run), so one architecture serves any image size it fits.
    /// </summary>
    public abstract ImageShape InputShape { get; }

    /// <summary>The number of epochs the trainer uses when the options give none.</summary>
    public abstract int DefaultEpochs { get; }

    /// <summary>The layers, first to last, for a classifier over <paramref name="numberOfClasses"/> classes.</summary>
    public abstract IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses);

    /// <summary>
    /// Weights to start from instead of random ones, for a network built for <paramref name="inputShape"/> images: each
    /// tensor named as <see cref="ConvNetModelParameters.GetWeights"/> names it (<c>conv2d.weight</c>). Every weight of
    /// the layers marked <see cref="LayerSpec.Pretrained"/> must be among them, with its shape; a tensor for another layer
    /// is taken when its shape fits (a classifier head for as many classes) and left out when it does not. Called when
    /// training starts afresh; a warm start, a resumed checkpoint and a loaded model have weights of their own.
    /// Defaults to null: every layer starts from Keras' initialisation.
    /// </summary>
    /// <exception cref="IOException">The weights' file cannot be read (the message says where it was looked for).</exception>
    public virtual IReadOnlyList<WeightTensor>? GetPretrainedWeights(ImageShape inputShape) => null;

    /// <summary>
    /// The Keras-style summary of the network this architecture builds: every layer's output shape and parameter
    /// count, then the total, trainable and non-trainable counts. Builds the network once, with libtorch.
    /// </summary>
    /// <param name="numberOfClasses">The number of classes of the label. Defaults to 10.</param>
    /// <param name="inputShape">The images. Defaults to null: <see cref="InputShape"/>.</param>
    /// <exception cref="ArgumentException">The layers do not fit together, or the images are too small for them.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public string GetSummary(int numberOfClasses = 10, ImageShape? inputShape = null)
    {
        using var network = ConvNetModule.Create(this, inputShape ?? InputShape, numberOfClasses, seed: 0);
        return network.Summary();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (input {InputShape})";
}
