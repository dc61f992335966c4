namespace MLNet.ConvNet.Augmentation;

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
