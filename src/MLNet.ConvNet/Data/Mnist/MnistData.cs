namespace MLNet.ConvNet.Data;

/// <summary>One MNIST split in memory.</summary>
/// <param name="Images">The images.</param>
/// <param name="Labels">The digit of each image, 0 to 9.</param>
public sealed record MnistData(IdxImages Images, byte[] Labels);
