namespace MLNet.ConvNet.Architectures;

/// <summary>One parameter's values outside libtorch, as checkpoints, early stopping and the model file keep them.</summary>
internal sealed record NamedTensor(string Name, long[] Shape, float[] Values);
