using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// One image's geometric transform, about the image's centre, in the order a picture would be edited: mirrored
/// (optional), scaled, sheared, rotated, then shifted.
/// </summary>
/// <param name="RotationDegrees">Counter-clockwise as the image is seen (rows run downwards).</param>
/// <param name="ShearDegrees">Horizontal shear: a positive angle leans the image's vertical lines to the right at the top.</param>
/// <param name="Scale">Above 1 enlarges the content, below 1 shrinks it.</param>
/// <param name="ShiftX">Pixels to the right.</param>
/// <param name="ShiftY">Pixels downwards.</param>
/// <param name="FlipHorizontal">Mirror left to right.</param>
internal readonly record struct AffineTransform(double RotationDegrees, double ShearDegrees, double Scale, double ShiftX, double ShiftY, bool FlipHorizontal)
{
    public static AffineTransform Identity { get; } = new(0, 0, 1, 0, 0, false);

    public bool IsIdentity => this == Identity;

    /// <summary>
    /// The 2x3 matrix that maps an output pixel to the input point it samples, in grid_sample's normalised
    /// coordinates (-1 .. 1 across the image, align_corners false), for a <paramref name="height"/> x <paramref name="width"/> image.
    /// </summary>
    public void WriteInverse(Span<float> theta, int height, int width)
    {
        // Forward, in pixel units about the centre with y downwards: p' = R * Sh * S * F * p + t.
        double a = RotationDegrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double shear = Math.Tan(ShearDegrees * Math.PI / 180);
        double flip = FlipHorizontal ? -1 : 1;
        // R = [[cos, sin], [-sin, cos]] (counter-clockwise on screen), Sh = [[1, -shear], [0, 1]], S = s * I, F = diag(flip, 1).
        double m00 = Scale * flip * cos, m01 = Scale * (-shear * cos + sin);
        double m10 = -Scale * flip * sin, m11 = Scale * (shear * sin + cos);
        double det = m00 * m11 - m01 * m10;
        double i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
        // Inverse: p = M^-1 (p' - t); in normalised units n = D p with D = diag(2 / width, 2 / height).
        double dx = 2.0 / width, dy = 2.0 / height;
        theta[0] = (float)i00;
        theta[1] = (float)(i01 * dx / dy);
        theta[2] = (float)(-(i00 * ShiftX + i01 * ShiftY) * dx);
        theta[3] = (float)(i10 * dy / dx);
        theta[4] = (float)i11;
        theta[5] = (float)(-(i10 * ShiftX + i11 * ShiftY) * dy);
    }
}

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
