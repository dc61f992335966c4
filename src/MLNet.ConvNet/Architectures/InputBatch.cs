using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// How images and labels enter the network, for training, validation and scoring alike: the caller's buffer
/// wrapped without a copy (torch.frombuffer; a managed copy per batch piled up on the large-object heap, see
/// docs/benchmarks.md), viewed as <c>[N, C, H, W]</c>, moved to the device, in channels-last memory order.
/// The tensors share the buffer: they must be disposed before the buffer is refilled.
/// </summary>
internal static class InputBatch
{
    /// <summary>Images <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 of <paramref name="features"/> (image after image, channel-major).</summary>
    public static Tensor Images(float[] features, int first, int count, ImageShape shape, Device device)
    {
        var batch = torch.frombuffer(features, ScalarType.Float32, (long)count * shape.Size, (long)first * shape.Size)
            .view(count, shape.Channels, shape.Height, shape.Width)
            .to(device);
        return ToChannelsLast(batch);
    }

    /// <summary>
    /// Labels <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 of <paramref name="labels"/>, as the task stored them:
    /// <c>[N]</c> for one float per row (a class index, 0 or 1, a number), <c>[N, width]</c> for one per tag.
    /// </summary>
    public static Tensor Labels(float[] labels, int first, int count, int width, Device device)
    {
        var flat = torch.frombuffer(labels, ScalarType.Float32, (long)count * width, (long)first * width);
        return (width == 1 ? flat : flat.view(count, width)).to(device);
    }

    /// <summary>Example weights <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 of <paramref name="weights"/>.</summary>
    public static Tensor Weights(float[] weights, int first, int count, Device device)
        => torch.frombuffer(weights, ScalarType.Float32, count, first).to(device);

    /// <summary>Whether <paramref name="batch"/> ([N, C, H, W]) already has channels-last strides.</summary>
    internal static bool IsChannelsLast(Tensor batch)
    {
        var strides = batch.stride();
        long c = batch.shape[1], w = batch.shape[3];
        return strides[1] == 1 && strides[3] == c && strides[2] == w * c;
    }

    // NHWC strides behind the logical NCHW shape: libtorch's CPU convolutions run markedly faster on them. For one
    // channel both orders share the same bytes, so this only relabels strides; for more channels it is one copy.
    internal static Tensor ToChannelsLast(Tensor batch)
    {
        long n = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3];
        return c == 1
            ? batch.as_strided([n, 1, h, w], [h * w, 1, w, 1], batch.storage_offset())
            : batch.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }
}
