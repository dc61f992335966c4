namespace MLNet.ConvNet;

/// <summary>
/// What scoring averages over (test-time augmentation), saved in the model: every path that scores with libtorch
/// (Transform, PredictionEngine, ForInMemoryImages, the serving API's .zip engine) does it; the ONNX export refuses a
/// model that does, since its graph scores one pass.
/// </summary>
public enum TestTimeAugmentation
{
    /// <summary>Each image scored as it is. The default.</summary>
    None = 0,

    /// <summary>The mean of the softmax probabilities of the image and of its left-right mirror (for photographs, not digits or text).</summary>
    HorizontalFlip = 1,
}
