namespace MLNet.ConvNet;

/// <summary>What one layer put out for a batch of images (<see cref="ConvNetModelParameters.GetActivations"/>).</summary>
/// <param name="LayerName">The layer's name in the summary, such as <c>conv2d_1</c>.</param>
/// <param name="TypeName">The layer's type, such as <c>Conv2D</c>.</param>
/// <param name="Shape">
/// <c>[images, channels, height, width]</c> for image-shaped outputs, <c>[images, units]</c> after Flatten: the
/// summary's output shape with the number of images in front. The last layer's values are the logits, before the softmax.
/// </param>
/// <param name="Values">Row-major (image, then channel, row, column), after the layer's activation.</param>
public sealed record LayerActivation(string LayerName, string TypeName, IReadOnlyList<long> Shape, float[] Values)
{
    /// <summary>The values of one image's channel <paramref name="channel"/> (height x width, row-major) for an image-shaped output.</summary>
    /// <exception cref="InvalidOperationException">The output is not image-shaped.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The image or channel is out of range.</exception>
    public ReadOnlyMemory<float> Map(int image, int channel)
    {
        if (Shape.Count != 4)
            throw new InvalidOperationException($"Layer '{LayerName}' ({TypeName}) puts out [{string.Join(", ", Shape)}], not feature maps [images, channels, height, width].");
        if (image < 0 || image >= Shape[0])
            throw new ArgumentOutOfRangeException(nameof(image), image, $"Expected an image index in [0, {Shape[0]}); got {image}.");
        if (channel < 0 || channel >= Shape[1])
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"Expected a channel in [0, {Shape[1]}); got {channel}.");
        int size = (int)(Shape[2] * Shape[3]);
        return Values.AsMemory((int)((image * Shape[1] + channel) * size), size);
    }
}
