using System.Globalization;
using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet;

/// <summary>
/// Random photometric changes of every training image, as torchvision's <c>ColorJitter</c> (without hue), drawn afresh
/// for each image in each batch from the run's per-epoch stream: brightness (every value times b), contrast (towards
/// the image's mean gray by 1 - c) and saturation (towards each pixel's gray by 1 - s), in that order, each factor
/// uniform in [1 - range, 1 + range] and the result clipped to [0, 1]. Gray images get brightness and contrast only.
/// Validation and scoring images are never changed.
/// </summary>
public sealed record ColorJitter
{
    private readonly double _brightness;
    private readonly double _contrast;
    private readonly double _saturation;

    /// <summary>A common setting for photographs: brightness, contrast and saturation ±20%.</summary>
    public static ColorJitter Photos { get; } = new() { Brightness = 0.2, Contrast = 0.2, Saturation = 0.2 };

    /// <summary>The brightness factor's range: in [0, 1). Defaults to 0: none.</summary>
    public double Brightness
    {
        get => _brightness;
        init => _brightness = Ranges.Check(value, value is >= 0 and < 1, nameof(Brightness), "in [0, 1)");
    }

    /// <summary>The contrast factor's range: in [0, 1). Defaults to 0: none.</summary>
    public double Contrast
    {
        get => _contrast;
        init => _contrast = Ranges.Check(value, value is >= 0 and < 1, nameof(Contrast), "in [0, 1)");
    }

    /// <summary>The saturation factor's range: in [0, 1). Defaults to 0: none.</summary>
    public double Saturation
    {
        get => _saturation;
        init => _saturation = Ranges.Check(value, value is >= 0 and < 1, nameof(Saturation), "in [0, 1)");
    }

    /// <summary>Whether every range is 0.</summary>
    public bool IsIdentity => Brightness == 0 && Contrast == 0 && Saturation == 0;

    /// <inheritdoc />
    public override string ToString()
    {
        if (IsIdentity)
            return "none";
        var parts = new List<string>();
        foreach (var (name, range) in new[] { ("brightness", Brightness), ("contrast", Contrast), ("saturation", Saturation) })
        {
            if (range > 0)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ±{range * 100:G3}%"));
        }
        return string.Join(", ", parts);
    }

    /// <summary>The images jittered, each by its own factors: three draws per image, brightness, contrast, saturation, image after image.</summary>
    internal Tensor Apply(Tensor images, Random random)
    {
        long n = images.shape[0];
        var factors = new float[3, n];
        for (int i = 0; i < n; i++)
        {
            factors[0, i] = Draw(random, Brightness);
            factors[1, i] = Draw(random, Contrast);
            factors[2, i] = Draw(random, Saturation);
        }
        Tensor Factor(int k) => tensor(Enumerable.Range(0, (int)n).Select(i => factors[k, i]).ToArray(), [n, 1, 1, 1], ScalarType.Float32, images.device);
        bool rgb = images.shape[1] == 3;
        using Scalar zero = 0.ToScalar(), one = 1.ToScalar();
        var x = images;
        if (Brightness > 0)
            x = x.mul(Factor(0)).clamp(zero, one);
        if (Contrast > 0)
        {
            var mean = Gray(x, rgb).mean([1, 2, 3], keepdim: true);
            var c = Factor(1);
            x = x.mul(c).add(mean.mul(c.neg().add(one, one)), one).clamp(zero, one);
        }
        if (Saturation > 0 && rgb)
        {
            var s = Factor(2);
            x = x.mul(s).add(Gray(x, rgb).mul(s.neg().add(one, one)), one).clamp(zero, one);
        }
        return x;
    }

    private static float Draw(Random random, double range) => range == 0 ? 1 : (float)(1 - range + 2 * range * random.NextDouble());

    /// <summary>Each pixel's gray (ITU-R 601 weights, as torchvision's rgb_to_grayscale), N x 1 x H x W.</summary>
    private static Tensor Gray(Tensor x, bool rgb)
    {
        if (!rgb)
            return x;
        using Scalar r = 0.299.ToScalar(), g = 0.587.ToScalar(), b = 0.114.ToScalar(), one = 1.ToScalar();
        return x[.., 0..1].mul(r).add(x[.., 1..2].mul(g), one).add(x[.., 2..3].mul(b), one);
    }
}
