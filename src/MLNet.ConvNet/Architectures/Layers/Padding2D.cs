using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Rows and columns of padding before and after an image, which may differ from side to side (ONNX's <c>pads</c>, such
/// as ResNet's 7x7 stem with 3 before and 2 after): Keras' <c>((top, bottom), (left, right))</c>.
/// </summary>
public readonly record struct Padding2D
{
    /// <summary>Creates the padding.</summary>
    /// <param name="top">Rows before.</param>
    /// <param name="bottom">Rows after.</param>
    /// <param name="left">Columns before.</param>
    /// <param name="right">Columns after.</param>
    /// <exception cref="ArgumentOutOfRangeException">A side is negative.</exception>
    public Padding2D(int top, int bottom, int left, int right)
    {
        Top = Ranges.Check(top, top >= 0, nameof(top), "0 or more");
        Bottom = Ranges.Check(bottom, bottom >= 0, nameof(bottom), "0 or more");
        Left = Ranges.Check(left, left >= 0, nameof(left), "0 or more");
        Right = Ranges.Check(right, right >= 0, nameof(right), "0 or more");
    }

    /// <summary>The same padding on every side.</summary>
    public Padding2D(int all) : this(all, all, all, all) { }

    /// <summary>Rows before.</summary>
    public int Top { get; }

    /// <summary>Rows after.</summary>
    public int Bottom { get; }

    /// <summary>Columns before.</summary>
    public int Left { get; }

    /// <summary>Columns after.</summary>
    public int Right { get; }

    /// <summary>Whether every side has the same padding.</summary>
    public bool IsUniform => Top == Bottom && Left == Right && Top == Left;

    /// <summary>Whether there is no padding.</summary>
    public bool IsZero => Top == 0 && Bottom == 0 && Left == 0 && Right == 0;

    /// <summary>TorchSharp's order for <c>pad</c>: left, right, top, bottom.</summary>
    internal long[] ForTorch => [Left, Right, Top, Bottom];

    /// <summary>ONNX's order for <c>pads</c>: top, left, bottom, right.</summary>
    internal long[] ForOnnx => [Top, Left, Bottom, Right];

    /// <inheritdoc />
    public override string ToString() => IsUniform ? $"{Top}" : $"(top {Top}, bottom {Bottom}, left {Left}, right {Right})";
}
