namespace MLNet.ConvNet.Data;

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/> bytes, row-major.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Height of each image.</param>
/// <param name="Columns">Width of each image.</param>
/// <param name="Pixels">All pixels, image after image.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>The number of pixels in one image.</summary>
    public int PixelsPerImage => Rows * Columns;
}
