using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>
/// Image batches in channels-last memory order (NHWC strides behind the logical NCHW shape), which
/// libtorch's CPU convolutions run markedly faster on. For one channel the two orders share the same bytes,
/// so the change is a free relabelling of strides; for more channels it is one copy.
/// </summary>
internal static class TensorLayout
{
    /// <param name="batch">A contiguous <c>[N, C, H, W]</c> tensor.</param>
    public static Tensor ToChannelsLast(Tensor batch)
    {
        long n = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3];
        return c == 1
            ? batch.as_strided([n, 1, h, w], [h * w, 1, w, 1], batch.storage_offset())
            : batch.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }
}
