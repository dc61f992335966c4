namespace MLNet.ConvNet.Layers;

/// <summary>How a convolution treats the border, as Keras' <c>padding</c> argument.</summary>
public enum ConvPadding
{
    /// <summary>No padding: the output shrinks by the kernel size less one (Keras' "valid", the default).</summary>
    Valid,

    /// <summary>
    /// Zeros around the input so that the output is the input's size divided by the stride, rounded up (Keras'
    /// "same"); an odd total goes one more to the bottom and right, as in Keras and TensorFlow.
    /// </summary>
    Same,
}
