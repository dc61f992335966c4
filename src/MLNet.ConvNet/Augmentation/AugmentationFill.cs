namespace MLNet.ConvNet;

/// <summary>What the warp puts where a transformed image uncovers pixels that lie outside the original.</summary>
public enum AugmentationFill
{
    /// <summary>Zero: the background of MNIST and of most scaled images with a black background. The default.</summary>
    Zeros,

    /// <summary>The nearest edge pixel, repeated (Keras' fill_mode "nearest").</summary>
    Nearest,

    /// <summary>The image mirrored about its edge (Keras' fill_mode "reflect").</summary>
    Reflect,
}
