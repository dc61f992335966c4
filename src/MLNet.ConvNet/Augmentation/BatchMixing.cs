using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet;

/// <summary>
/// Label-mixing augmentation of whole batches, as timm's <c>Mixup</c>: each image is blended with its partner (the
/// batch in reverse order) by a share λ drawn from Beta(α, α), and so are their labels: mixup blends every pixel
/// (Zhang et al., 2018), cutmix pastes a box of the partner covering 1 - λ of the image (Yun et al., 2019), and the
/// targets become λ of the image's class and 1 - λ of the partner's (λ corrected to the box's exact area). Draws come
/// from the run's per-epoch stream, so a run mixes the same way again and after a resume. Applied after the geometric
/// <see cref="ImageAugmentation"/>; validation and scoring images are never mixed.
/// </summary>
public sealed record BatchMixing
{
    private readonly double _mixUpAlpha;
    private readonly double _cutMixAlpha;
    private readonly double _probability = 1;
    private readonly double _switchProbability = 0.5;

    /// <summary>Mixup alone, with α = <paramref name="alpha"/> (0.2 in the mixup paper's ImageNet runs).</summary>
    public static BatchMixing MixUp(double alpha = 0.2) => new() { MixUpAlpha = alpha };

    /// <summary>Cutmix alone, with α = <paramref name="alpha"/> (1, the cutmix paper's).</summary>
    public static BatchMixing CutMix(double alpha = 1) => new() { CutMixAlpha = alpha };

    /// <summary>timm's recipe: mixup α 0.8 or cutmix α 1, half the batches each.</summary>
    public static BatchMixing MixUpOrCutMix() => new() { MixUpAlpha = 0.8, CutMixAlpha = 1 };

    /// <summary>Mixup's α; 0 turns mixup off. Defaults to 0.</summary>
    public double MixUpAlpha
    {
        get => _mixUpAlpha;
        init => _mixUpAlpha = Common.Ranges.Check(value, value >= 0 && double.IsFinite(value), nameof(MixUpAlpha), "0 (off) or more");
    }

    /// <summary>Cutmix's α; 0 turns cutmix off. Defaults to 0.</summary>
    public double CutMixAlpha
    {
        get => _cutMixAlpha;
        init => _cutMixAlpha = Common.Ranges.Check(value, value >= 0 && double.IsFinite(value), nameof(CutMixAlpha), "0 (off) or more");
    }

    /// <summary>The share of batches mixed; in [0, 1]. Defaults to 1.</summary>
    public double Probability
    {
        get => _probability;
        init => _probability = Common.Ranges.Check(value, value is >= 0 and <= 1, nameof(Probability), "in [0, 1]");
    }

    /// <summary>With both on, the share of mixed batches that use cutmix rather than mixup; in [0, 1]. Defaults to 0.5.</summary>
    public double SwitchProbability
    {
        get => _switchProbability;
        init => _switchProbability = Common.Ranges.Check(value, value is >= 0 and <= 1, nameof(SwitchProbability), "in [0, 1]");
    }

    /// <summary>Whether anything is ever mixed.</summary>
    public bool IsIdentity => (MixUpAlpha == 0 && CutMixAlpha == 0) || Probability == 0;

    /// <inheritdoc />
    public override string ToString()
    {
        if (IsIdentity)
            return "none";
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (MixUpAlpha > 0)
            parts.Add(string.Create(c, $"mixup α {MixUpAlpha:G4}"));
        if (CutMixAlpha > 0)
            parts.Add(string.Create(c, $"cutmix α {CutMixAlpha:G4}"));
        string which = string.Join(MixUpAlpha > 0 && CutMixAlpha > 0 ? string.Create(c, $" or (p {SwitchProbability:G4}) ") : "", parts);
        return Probability < 1 ? string.Create(c, $"{which}, on {Probability:P0} of batches") : which;
    }

    /// <summary>
    /// The batch mixed, or null when this batch is left as it is (<see cref="Probability"/>): the images, the targets
    /// (N x <paramref name="classes"/> probabilities) and λ. Draws, in order: whether to mix, mixup or cutmix, λ, the box.
    /// </summary>
    internal (Tensor Images, Tensor Targets, double Lambda)? Mix(Tensor images, Tensor labels, int classes, Random random)
    {
        if (IsIdentity || (Probability < 1 && random.NextDouble() >= Probability))
            return null;
        bool cut = CutMixAlpha > 0 && (MixUpAlpha == 0 || random.NextDouble() < SwitchProbability);
        double lambda = Beta(random, cut ? CutMixAlpha : MixUpAlpha);
        var partner = images.flip(0);
        Tensor mixed = images;
        if (cut)
        {
            long height = images.shape[2], width = images.shape[3];
            var (top, bottom, left, right) = Box(random, height, width, lambda);
            mixed = images.clone();
            mixed[.., .., TensorIndex.Slice(top, bottom), TensorIndex.Slice(left, right)] = partner[.., .., TensorIndex.Slice(top, bottom), TensorIndex.Slice(left, right)];
            lambda = 1 - (double)(bottom - top) * (right - left) / (height * width);
        }
        using Scalar own = lambda.ToScalar(), other = (1 - lambda).ToScalar();
        if (!cut)
            mixed = images.mul(own).add_(partner, other);
        var oneHot = nn.functional.one_hot(labels, classes).to(ScalarType.Float32);
        var targets = oneHot.mul(own).add_(oneHot.flip(0), other);
        return (mixed, targets, lambda);
    }

    /// <summary>A box covering about 1 - <paramref name="lambda"/> of the image, centred at a uniform point, clipped to it.</summary>
    internal static (long Top, long Bottom, long Left, long Right) Box(Random random, long height, long width, double lambda)
    {
        double side = Math.Sqrt(1 - lambda);
        long cutHeight = (long)(height * side), cutWidth = (long)(width * side);
        long centreY = random.NextInt64(height), centreX = random.NextInt64(width);
        long top = Math.Clamp(centreY - cutHeight / 2, 0, height), bottom = Math.Clamp(centreY + cutHeight / 2, 0, height);
        long left = Math.Clamp(centreX - cutWidth / 2, 0, width), right = Math.Clamp(centreX + cutWidth / 2, 0, width);
        return (top, bottom, left, right);
    }

    /// <summary>A draw from Beta(α, α): X / (X + Y) for X, Y from Gamma(α).</summary>
    internal static double Beta(Random random, double alpha)
    {
        double x = Gamma(random, alpha), y = Gamma(random, alpha);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /// <summary>Marsaglia and Tsang's method (2000); for α below 1, Gamma(α + 1) times U^(1/α).</summary>
    private static double Gamma(Random random, double alpha)
    {
        if (alpha < 1)
            return Gamma(random, alpha + 1) * Math.Pow(1 - random.NextDouble(), 1 / alpha);
        double d = alpha - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            double u = 1 - random.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
                return d * v;
        }
    }

    private static double Normal(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
