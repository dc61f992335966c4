using System.Globalization;
using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet;

/// <summary>
/// torchvision's <c>RandomResizedCrop</c> on each training image: a box of a random share of the image's area (in
/// [<see cref="MinScale"/>, <see cref="MaxScale"/>]) and a random aspect ratio (log-uniform in
/// [<see cref="MinRatio"/>, <see cref="MaxRatio"/>]), at a random place, stretched back to the image's size with
/// bilinear sampling; after ten boxes that do not fit, the whole image. Drawn afresh for each image in each batch
/// from the run's per-epoch stream. Validation and scoring images are never cropped.
/// </summary>
public sealed record RandomResizedCrop
{
    private readonly double _minScale = 0.08;
    private readonly double _maxScale = 1;
    private readonly double _minRatio = 3.0 / 4;
    private readonly double _maxRatio = 4.0 / 3;

    /// <summary>The smallest share of the area a box covers; in (0, 1]. Defaults to 0.08 (torchvision's).</summary>
    public double MinScale
    {
        get => _minScale;
        init => _minScale = Ranges.Check(value, value is > 0 and <= 1, nameof(MinScale), "in (0, 1]");
    }

    /// <summary>The largest share of the area; in [MinScale, 1]. Defaults to 1.</summary>
    public double MaxScale
    {
        get => _maxScale;
        init => _maxScale = Ranges.Check(value, value is > 0 and <= 1, nameof(MaxScale), "in (0, 1]");
    }

    /// <summary>The narrowest aspect ratio (width / height); positive. Defaults to 3/4.</summary>
    public double MinRatio
    {
        get => _minRatio;
        init => _minRatio = Ranges.Check(value, value > 0 && double.IsFinite(value), nameof(MinRatio), "positive");
    }

    /// <summary>The widest aspect ratio; at least MinRatio. Defaults to 4/3.</summary>
    public double MaxRatio
    {
        get => _maxRatio;
        init => _maxRatio = Ranges.Check(value, value > 0 && double.IsFinite(value), nameof(MaxRatio), "positive");
    }

    internal void Check(string parameterName)
    {
        if (MaxScale < MinScale || MaxRatio < MinRatio)
            throw new ArgumentOutOfRangeException(parameterName, this, $"RandomResizedCrop needs MinScale <= MaxScale and MinRatio <= MaxRatio; got scale [{MinScale}, {MaxScale}], ratio [{MinRatio}, {MaxRatio}].");
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"scale [{MinScale:G3}, {MaxScale:G3}], ratio [{MinRatio:G3}, {MaxRatio:G3}]");

    /// <summary>The box for one image of <paramref name="height"/> x <paramref name="width"/>: top, left, box height and width, in pixels.</summary>
    internal (int Top, int Left, int Height, int Width) Box(Random random, int height, int width)
    {
        double area = (double)height * width;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (MinScale + (MaxScale - MinScale) * random.NextDouble());
            double ratio = Math.Exp(Math.Log(MinRatio) + (Math.Log(MaxRatio) - Math.Log(MinRatio)) * random.NextDouble());
            int w = (int)Math.Round(Math.Sqrt(target * ratio)), h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height)
                return (random.Next(height - h + 1), random.Next(width - w + 1), h, w);
        }
        return (0, 0, height, width);
    }

    /// <summary>The images, each cropped to its box and stretched back (bilinear, pixel centres aligned as torchvision's resize).</summary>
    internal Tensor Apply(Tensor images, Random random)
    {
        long n = images.shape[0];
        int height = (int)images.shape[2], width = (int)images.shape[3];
        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            var (top, left, h, w) = Box(random, height, width);
            // Output [-1, 1] onto the box's span in the input's normalised coordinates (align_corners false).
            theta[i * 6] = (float)w / width;
            theta[i * 6 + 2] = (float)(2.0 * left + w) / width - 1;
            theta[i * 6 + 4] = (float)h / height;
            theta[i * 6 + 5] = (float)(2.0 * top + h) / height - 1;
        }
        using var thetaTensor = tensor(theta, [n, 2, 3], ScalarType.Float32, images.device);
        using var grid = nn.functional.affine_grid(thetaTensor, [n, images.shape[1], height, width], align_corners: false);
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }
}
