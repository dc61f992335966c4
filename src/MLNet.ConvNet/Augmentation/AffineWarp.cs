using MLNet.ConvNet.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Augmentation;

/// <summary>Geometric transforms of a batch of images on the tensor itself: one affine grid and one bilinear sampling for the whole batch.</summary>
internal static class AffineWarp
{
    /// <summary>
    /// <paramref name="images"/> (<c>[N, C, H, W]</c>) with image i transformed by <paramref name="transforms"/>[i].
    /// Returns the input itself when every transform is the identity, so a zero range changes nothing, bit for bit.
    /// </summary>
    public static Tensor Apply(Tensor images, ReadOnlySpan<AffineTransform> transforms, AugmentationFill fill)
    {
        long n = images.shape[0], height = images.shape[2], width = images.shape[3];
        if (transforms.Length != n)
            throw new ArgumentException($"Expected one transform per image ({n}); got {transforms.Length}.", nameof(transforms));
        bool any = false;
        foreach (var t in transforms)
            any |= !t.IsIdentity;
        if (!any)
            return images;

        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
            transforms[i].WriteInverse(theta.AsSpan(i * 6, 6), (int)height, (int)width);
        using var thetaTensor = torch.tensor(theta, [n, 2, 3], ScalarType.Float32, images.device);
        using var grid = nn.functional.affine_grid(thetaTensor, [n, images.shape[1], height, width], align_corners: false);
        var padding = fill switch
        {
            AugmentationFill.Nearest => GridSamplePaddingMode.Border,
            AugmentationFill.Reflect => GridSamplePaddingMode.Reflection,
            _ => GridSamplePaddingMode.Zeros,
        };
        var warped = nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, padding, align_corners: false);
        // An identity transform in a mixed batch keeps its image exactly, not as bilinear sampling's near-copy.
        for (int i = 0; i < n; i++)
        {
            if (transforms[i].IsIdentity)
                warped[i].copy_(images[i]);
        }
        return InputBatch.ToChannelsLast(warped);
    }
}
