using System.Globalization;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Augmentation;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet;

/// <summary>
/// Random geometric changes to every training image, drawn afresh for each image in each epoch (Keras'
/// ImageDataGenerator, torchvision's RandomAffine): rotation, shift, zoom, shear and an optional mirror. Applied to
/// each training batch on the tensor itself (one affine grid and one bilinear sampling per batch), never to
/// validation or scoring; reproducible with the trainer's seed. Every range defaults to 0: <c>new ImageAugmentation()</c>
/// changes nothing, bit for bit. Set it as <see cref="ConvNetTrainer.Options.Augmentation"/>; the fitted model
/// records it (<see cref="ConvNetModelParameters.Augmentation"/>).
/// </summary>
public sealed record ImageAugmentation
{
    /// <summary>
    /// The augmentation that lifts MNIST-like digits: rotation up to 10 degrees, shifts up to 10% of the width and the
    /// height, zoom up to 10%, no mirror (a mirrored 2 is no digit). The one the small-data recipe uses.
    /// </summary>
    public static ImageAugmentation Digits { get; } = new() { RotationDegrees = 10, WidthShift = 0.1, HeightShift = 0.1, Zoom = 0.1 };

    /// <summary>
    /// The augmentation of torchvision's and Keras' photo recipes: <see cref="Digits"/>' rotation, shift and zoom, and a
    /// mirror of half the images. What <see cref="Automatic"/> gives colour images.
    /// </summary>
    public static ImageAugmentation Photos { get; } = Digits with { HorizontalFlip = true };

    /// <summary>
    /// Chosen at Fit from the training images (the recipes' default): <see cref="Photos"/> when they are in colour,
    /// <see cref="Digits"/> (no mirror) when they are gray (one channel, or three equal ones, as a gray PNG becomes for
    /// ResNet18) or have another channel count. The first 256 images decide (<see cref="IsColour"/>); the fitted model
    /// records the augmentation chosen, and the training log says which and why. Its own ranges are not used.
    /// </summary>
    public static ImageAugmentation Automatic { get; } = new() { IsAutomatic = true };

    /// <summary>How many of the first training images <see cref="Automatic"/> looks at.</summary>
    internal const int AutomaticSample = 256;

    /// <summary>Whether this is <see cref="Automatic"/>: the augmentation is chosen from the images at Fit.</summary>
    public bool IsAutomatic { get; private init; }

    /// <summary>Rotation by an angle drawn uniformly from [-value, value] degrees; in [0, 180]. Defaults to 0.</summary>
    public double RotationDegrees { get; init; }

    /// <summary>Horizontal shift by a fraction of the width drawn uniformly from [-value, value]; in [0, 1). Defaults to 0.</summary>
    public double WidthShift { get; init; }

    /// <summary>Vertical shift by a fraction of the height drawn uniformly from [-value, value]; in [0, 1). Defaults to 0.</summary>
    public double HeightShift { get; init; }

    /// <summary>Scaling by a factor drawn uniformly from [1 - value, 1 + value] (above 1 enlarges the content); in [0, 1). Defaults to 0.</summary>
    public double Zoom { get; init; }

    /// <summary>Horizontal shear by an angle drawn uniformly from [-value, value] degrees; in [0, 80]. Defaults to 0.</summary>
    public double ShearDegrees { get; init; }

    /// <summary>Mirror half of the images left to right, at random. Defaults to false (right for digits and text).</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>What fills the pixels a transform uncovers. Defaults to <see cref="AugmentationFill.Zeros"/>.</summary>
    public AugmentationFill Fill { get; init; } = AugmentationFill.Zeros;

    /// <summary>Whether every range is 0 and there is no mirror: the images pass unchanged.</summary>
    public bool IsIdentity => !IsAutomatic && RotationDegrees == 0 && WidthShift == 0 && HeightShift == 0 && Zoom == 0 && ShearDegrees == 0 && !HorizontalFlip;

    /// <summary>
    /// Transforms each of <paramref name="images"/> (image after image, channel-major, <paramref name="shape"/> each)
    /// as training would, with transforms drawn from <paramref name="seed"/>: a way to look at what the network will
    /// be shown. The input is not changed.
    /// </summary>
    /// <returns>The transformed images, in the same layout.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A range is out of bounds.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="images"/> is not a multiple of the image size.</exception>
    public float[] Apply(float[] images, ImageShape shape, int seed)
    {
        ArgumentNullException.ThrowIfNull(images);
        Check(nameof(images));
        if (images.Length == 0 || images.Length % shape.Size != 0)
            throw new ArgumentException($"Expected whole images of {shape} ({shape.Size} values each); got {images.Length} values.", nameof(images));
        int count = images.Length / shape.Size;
        var chosen = IsAutomatic ? For(images, shape) : this;
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var result = chosen.Apply(InputBatch.Images(images, 0, count, shape, torch.CPU), new Random(seed));
        return result.contiguous().data<float>().ToArray();
    }

    /// <summary>One transform per image of <paramref name="batch"/> (<c>[N, C, H, W]</c>), drawn from <paramref name="random"/>.</summary>
    internal Tensor Apply(Tensor batch, Random random)
    {
        if (IsAutomatic)
            throw new InvalidOperationException("ImageAugmentation.Automatic is chosen from the images before training; it has no transform of its own.");
        if (IsIdentity)
            return batch;
        int n = (int)batch.shape[0], height = (int)batch.shape[2], width = (int)batch.shape[3];
        var transforms = new AffineTransform[n];
        for (int i = 0; i < n; i++)
            transforms[i] = Draw(random, height, width);
        return AffineWarp.Apply(batch, transforms, Fill);
    }

    /// <summary>
    /// Whether <paramref name="images"/> (image after image, <paramref name="shape"/> each) are in colour: three
    /// channels whose largest minus smallest value, averaged over every pixel, exceeds 1% of the values' range (a gray
    /// image saved as RGB, JPEG noise included, stays below it).
    /// </summary>
    public static bool IsColour(ReadOnlySpan<float> images, ImageShape shape)
    {
        if (shape.Channels != 3 || images.Length < shape.Size)
            return false;
        int plane = shape.Height * shape.Width, count = images.Length / shape.Size;
        double spread = 0;
        float low = float.MaxValue, high = float.MinValue;
        for (int n = 0; n < count; n++)
        {
            var image = images.Slice(n * shape.Size, shape.Size);
            for (int i = 0; i < plane; i++)
            {
                float r = image[i], g = image[plane + i], b = image[2 * plane + i];
                float max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
                spread += max - min;
                low = Math.Min(low, min);
                high = Math.Max(high, max);
            }
        }
        return high > low && spread / ((double)count * plane) > 0.01 * (high - low);
    }

    /// <summary>What <see cref="Automatic"/> gives <paramref name="images"/>: <see cref="Photos"/> in colour, <see cref="Digits"/> otherwise.</summary>
    internal static ImageAugmentation For(ReadOnlySpan<float> images, ImageShape shape) => IsColour(images, shape) ? Photos : Digits;

    /// <summary>One image's transform. Always draws the same count of numbers, so an image's draw does not depend on which ranges are set.</summary>
    internal AffineTransform Draw(Random random, int height, int width)
    {
        double Uniform(double range) => (random.NextDouble() * 2 - 1) * range;
        double rotation = Uniform(RotationDegrees);
        double shiftX = Uniform(WidthShift) * width;
        double shiftY = Uniform(HeightShift) * height;
        double scale = 1 + Uniform(Zoom);
        double shear = Uniform(ShearDegrees);
        bool flip = random.NextDouble() < 0.5 && HorizontalFlip;
        return new AffineTransform(rotation, shear, scale, shiftX, shiftY, flip);
    }

    /// <summary>Throws unless every range is in bounds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A range is out of bounds, with its name, the bounds and the value.</exception>
    internal void Check(string parameterName)
    {
        if (Problem() is { } problem)
            throw new ArgumentOutOfRangeException(parameterName, problem.Value, problem.Message);
    }

    /// <summary>The first range out of bounds, in words with its bounds and value, and the value; null when all are in bounds.</summary>
    internal (string Message, object Value)? Problem()
    {
        if (IsAutomatic)
            return null;
        static (string, object)? Range(double value, double max, bool inclusive, string name)
            => !double.IsFinite(value) || value < 0 || value > max || (!inclusive && value == max)
                ? (Ranges.Message($"ImageAugmentation.{name}", value, $"in [0, {max}{(inclusive ? "]" : ")")}"), value)
                : null;
        return Range(RotationDegrees, 180, true, nameof(RotationDegrees))
            ?? Range(WidthShift, 1, false, nameof(WidthShift))
            ?? Range(HeightShift, 1, false, nameof(HeightShift))
            ?? Range(Zoom, 1, false, nameof(Zoom))
            ?? Range(ShearDegrees, 80, true, nameof(ShearDegrees))
            ?? (Enum.IsDefined(Fill) ? null
                : ($"ImageAugmentation.Fill must be one of {string.Join(", ", Enum.GetNames<AugmentationFill>())}; got {(int)Fill}.", Fill));
    }

    /// <summary>The ranges in words, as the training log and the model's record show them, such as "rotation ±10°, shift ±10% x ±10%, zoom ±10%".</summary>
    public override string ToString()
    {
        if (IsAutomatic)
            return "automatic (chosen from the images)";
        if (IsIdentity)
            return "none";
        var parts = new List<string>();
        var c = CultureInfo.InvariantCulture;
        if (RotationDegrees > 0)
            parts.Add(string.Create(c, $"rotation ±{RotationDegrees:G4}°"));
        if (WidthShift > 0 || HeightShift > 0)
            parts.Add(string.Create(c, $"shift ±{WidthShift:0.##%} x ±{HeightShift:0.##%}"));
        if (Zoom > 0)
            parts.Add(string.Create(c, $"zoom ±{Zoom:0.##%}"));
        if (ShearDegrees > 0)
            parts.Add(string.Create(c, $"shear ±{ShearDegrees:G4}°"));
        if (HorizontalFlip)
            parts.Add("horizontal flip");
        if (Fill != AugmentationFill.Zeros)
            parts.Add($"fill {Fill.ToString().ToLowerInvariant()}");
        return string.Join(", ", parts);
    }
}
