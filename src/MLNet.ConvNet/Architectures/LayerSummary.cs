namespace MLNet.ConvNet;

/// <summary>One row of the model summary.</summary>
/// <param name="Name">The layer's name, such as <c>conv2d_1</c>.</param>
/// <param name="TypeName">The layer's type, such as <c>Conv2D</c>.</param>
/// <param name="OutputShape">The output shape without the batch dimension, channels first.</param>
/// <param name="Parameters">The number of weights and biases.</param>
public sealed record LayerSummary(string Name, string TypeName, long[] OutputShape, long Parameters)
{
    /// <summary>The layers whose outputs this layer takes (<c>input</c> for the images): the one before it, in a plain stack.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];
}
