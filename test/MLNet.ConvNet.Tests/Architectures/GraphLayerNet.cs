using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>
/// The layer types and activations of networks imported from PyTorch, in one small graph: depthwise dilated
/// convolution, a squeeze-and-excitation gate (Multiply), a channel slice and shuffle, a Concatenate, a LayerNorm,
/// rounding-up max pooling and the pixel preprocessing of pretrained networks. Registered in <see cref="TestSetup"/> as
/// a <see cref="GraphArchitecture"/>, so every test over the registered architectures (summary, initialisation,
/// training, save and load with its JSON description, ONNX export) covers them; with <see cref="EveryLayerNet"/> it
/// uses every built-in layer type and activation (<see cref="LayerTypeTests"/> checks that).
/// </summary>
public static class GraphLayerNet
{
    public const string ArchitectureName = "GraphLayerNet";

    public static GraphArchitecture Create() => new(ArchitectureName, new ImageShape(1, 28, 28),
    [
        new PixelNormalization([0.5f], [0.25f]),                                                      // 1 x 28 x 28
        new Conv2D(16, 3, strides: 2) { Activation = Activation.HardSwish },                          // 16 x 13 x 13
        new Conv2D(16, 3, padding: ConvPadding.Same) { Name = "depthwise", Groups = 16, Dilation = 2, Activation = Activation.Relu6 },
        new GlobalAveragePooling2D { KeepDims = true },                                               // 16 x 1 x 1
        new Conv2D(16, 1) { Activation = Activation.HardSigmoid, Name = "gate" },
        new Multiply { Inputs = ["depthwise", "gate"], Activation = Activation.Silu, Name = "gated" }, // 16 x 13 x 13
        new ChannelSlice(4, 8) { Inputs = ["depthwise"], Name = "slice" },                            // 8 x 13 x 13
        new ChannelShuffle(2),
        new Concatenate { Inputs = ["gated", "channel_shuffle"] },                                    // 24 x 13 x 13
        new LayerNormalization(epsilon: 1e-5),
        new MaxPooling2D(3) { Strides = 2, CeilMode = true },                                         // 24 x 6 x 6
        new Conv2D(32, 3, padding: ConvPadding.Same) { Groups = 8 },
        new Identity { Activation = Activation.Relu },                                                // Keras' Activation layer
        new Flatten(),                                                                                // 1,152
        new LayerNormalization(),
        new Dense(10) { Activation = Activation.Softmax },
    ], defaultEpochs: 2);
}
