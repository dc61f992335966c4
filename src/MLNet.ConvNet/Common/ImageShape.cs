namespace MLNet.ConvNet;

/// <summary>The shape of one image: channels, height and width, as the feature vector stores them (channel-major).</summary>
/// <param name="Channels">Number of channels (1 for grayscale).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>The length of the feature vector one image fills: channels x height x width.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
