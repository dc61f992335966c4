namespace MLNet.ConvNet.Data;

/// <summary>An opaque colour behind transparent pixels.</summary>
/// <param name="Red">Red, 0 to 255.</param>
/// <param name="Green">Green, 0 to 255.</param>
/// <param name="Blue">Blue, 0 to 255.</param>
public readonly record struct ImageBackground(byte Red, byte Green, byte Blue)
{
    /// <summary>Black: the decoders' premultiplied pixels as they are.</summary>
    public static ImageBackground Black => new(0, 0, 0);

    /// <summary>White, as a page or a product shot's backdrop.</summary>
    public static ImageBackground White => new(255, 255, 255);

    /// <inheritdoc />
    public override string ToString() => $"#{Red:X2}{Green:X2}{Blue:X2}";
}
