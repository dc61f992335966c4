namespace MLNet.ConvNet;

/// <summary>One weight tensor of a fitted network.</summary>
/// <param name="Name">The layer's name and the parameter's, such as <c>conv2d_1.weight</c>.</param>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="Values">The values, row-major: the last dimension varies fastest.</param>
public sealed record WeightTensor(string Name, IReadOnlyList<long> Shape, float[] Values);
