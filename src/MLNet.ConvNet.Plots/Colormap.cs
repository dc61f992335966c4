using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>Values to colours by linear interpolation between a few anchors, over [0, 1].</summary>
internal sealed class Colormap(params SKColor[] anchors)
{
    /// <summary>Blue through white to red: signed weights, 0.5 is zero.</summary>
    public static Colormap Diverging { get; } = new(new SKColor(33, 102, 172), SKColors.White, new SKColor(178, 24, 43));

    /// <summary>Dark purple through teal to yellow (viridis-like): activations, so that strength reads as brightness and hue.</summary>
    public static Colormap Viridis { get; } = new(new SKColor(68, 1, 84), new SKColor(59, 82, 139), new SKColor(33, 145, 140), new SKColor(94, 201, 98), new SKColor(253, 231, 37));

    public SKColor this[double value]
    {
        get
        {
            if (double.IsNaN(value))
                return SKColors.Magenta;
            double position = Math.Clamp(value, 0, 1) * (anchors.Length - 1);
            int low = Math.Min((int)position, anchors.Length - 2);
            double t = position - low;
            SKColor a = anchors[low], b = anchors[low + 1];
            return new SKColor(Mix(a.Red, b.Red, t), Mix(a.Green, b.Green, t), Mix(a.Blue, b.Blue, t));
        }
    }

    private static byte Mix(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * t);
}
