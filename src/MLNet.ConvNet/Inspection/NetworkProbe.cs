using MLNet.ConvNet.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Inspection;

/// <summary>
/// Looks inside a fitted network for pictures: every layer's output for some images, and which pixels drive a class
/// score. Each call is one pass inside its own dispose scope on the CPU copy of the input, never touches the weights'
/// gradients (torch.autograd.grad, not backward) and leaves the network in evaluation mode, so it may run beside scoring.
/// </summary>
internal static class NetworkProbe
{
    public static IReadOnlyList<LayerActivation> Activations(ConvNetModule network, float[] images)
    {
        int count = CountImages(network, images, nameof(images));
        var result = new List<LayerActivation>();
        using var scope = torch.NewDisposeScope();
        using var mode = torch.inference_mode();
        var x = Batch(network, images, count);
        network.Forward(x, (i, output) =>
        {
            var layer = network.Layers[i];
            using var values = output.detach().cpu().contiguous();
            result.Add(new LayerActivation(layer.Name, layer.TypeName, values.shape.ToArray(), values.data<float>().ToArray()));
        });
        return result;
    }

    /// <summary>The absolute gradient of the class's logit with respect to each input pixel, the largest over the channels (Simonyan et al., 2014).</summary>
    /// <param name="network">The network.</param>
    /// <param name="image">One image.</param>
    /// <param name="classIndex">The output explained.</param>
    /// <param name="score">What the output means on the image (its task's probability, or number), from the network's outputs and the output's index.</param>
    public static SaliencyMap Gradient(ConvNetModule network, float[] image, int classIndex, Func<Tensor, int, float> score)
    {
        CheckOne(network, image, classIndex);
        var shape = network.InputShape;
        using var scope = torch.NewDisposeScope();
        var x = Batch(network, image, 1).detach().requires_grad_(true);
        var logits = network.forward(x);
        float probability = score(logits.detach(), classIndex);
        var gradient = torch.autograd.grad([logits[0, classIndex]], [x])[0];
        var map = gradient[0].abs().amax([0]).contiguous();
        return new SaliencyMap("gradient", classIndex, probability, shape.Height, shape.Width, map.data<float>().ToArray());
    }

    /// <summary>
    /// Grad-CAM (Selvaraju et al., 2017) on <paramref name="layerName"/>, or on the last convolution:
    /// its feature maps weighted by the mean gradient of the class's logit over each map, summed, kept where positive,
    /// and stretched bilinearly to the image's size.
    /// </summary>
    public static SaliencyMap GradCam(ConvNetModule network, float[] image, int classIndex, string? layerName, Func<Tensor, int, float> score)
    {
        CheckOne(network, image, classIndex);
        int layer = FeatureMapLayer(network, layerName);
        var shape = network.InputShape;
        using var scope = torch.NewDisposeScope();
        var x = Batch(network, image, 1);
        Tensor? observed = null;
        var logits = network.Forward(x, (i, output) =>
        {
            if (i == layer)
                observed = output;
        });
        var maps = observed!; // FeatureMapLayer returned one of the network's layers, so the pass observed it
        float probability = score(logits.detach(), classIndex);
        var gradient = torch.autograd.grad([logits[0, classIndex]], [maps])[0];
        var weights = gradient.mean([2, 3], keepdim: true);
        var cam = nn.functional.relu((weights * maps).sum(1, keepdim: true));
        var stretched = nn.functional.interpolate(cam.detach(), [shape.Height, shape.Width], mode: InterpolationMode.Bilinear, align_corners: false);
        using var zero = 0.ToScalar(); // explicit and kept alive across the call (Training/Optimizers/LiveScalarSteps.cs says why)
        var values = stretched.clamp_min(zero).contiguous().data<float>().ToArray();
        return new SaliencyMap($"Grad-CAM on {network.Layers[layer].Name}", classIndex, probability, shape.Height, shape.Width, values);
    }

    /// <summary>
    /// The layer Grad-CAM looks at: the named one, which must put out feature maps; else the last convolution; else the
    /// last layer that puts out feature maps.
    /// </summary>
    private static int FeatureMapLayer(ConvNetModule network, string? layerName)
    {
        var layers = network.Layers;
        if (layerName is null)
        {
            int last = -1;
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                if (layers[i].OutputShape.Length != 3)
                    continue;
                if (layers[i].TypeName.Contains("Conv", StringComparison.Ordinal))
                    return i;
                last = last < 0 ? i : last;
            }
            if (last >= 0)
                return last;
            throw new InvalidOperationException($"Architecture '{network.Architecture.Name}' has no layer that puts out feature maps; Grad-CAM needs one.");
        }
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].Name == layerName)
            {
                return layers[i].OutputShape.Length == 3 ? i
                    : throw new ArgumentException($"Grad-CAM needs a layer that puts out feature maps [channels, height, width]; '{layerName}' ({layers[i].TypeName}) puts out [{string.Join(", ", layers[i].OutputShape)}].", nameof(layerName));
            }
        }
        throw new ArgumentException($"The network has no layer '{layerName}'; its layers are {string.Join(", ", layers.Select(l => l.Name))}.", nameof(layerName));
    }

    /// <summary>The images as the network takes them in training and scoring (InputBatch: no copy, channels last), on its device.</summary>
    private static Tensor Batch(ConvNetModule network, float[] images, int count)
        => InputBatch.Images(images, 0, count, network.InputShape, network.parameters().First().device);

    private static int CountImages(ConvNetModule network, float[] images, string parameter)
    {
        ArgumentNullException.ThrowIfNull(images, parameter);
        var shape = network.InputShape;
        if (images.Length == 0 || images.Length % shape.Size != 0)
            throw new ArgumentException($"Expected whole images of {shape} ({shape.Size} values each, channel-major); got {images.Length} values.", parameter);
        return images.Length / shape.Size;
    }

    private static void CheckOne(ConvNetModule network, float[] image, int classIndex)
    {
        if (CountImages(network, image, nameof(image)) != 1)
            throw new ArgumentException($"Expected one image of {network.InputShape} ({network.InputShape.Size} values); got {image.Length} values.", nameof(image));
        if (classIndex < 0 || classIndex >= network.NumberOfClasses)
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"Expected a class index in [0, {network.NumberOfClasses}); got {classIndex}.");
    }
}
