using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Sets a random share of its inputs to zero while training and scales the rest up to keep their sum, as Keras
/// <c>Dropout(rate)</c>; when scoring it passes its input through unchanged. No parameters.
/// </summary>
public sealed class Dropout : LayerSpec
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">The share of inputs dropped while training; in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">The rate is outside [0, 1).</exception>
    public Dropout(double rate)
        => Rate = Ranges.Check(rate, rate is >= 0 and < 1, nameof(rate), "in [0, 1)");

    /// <summary>The share of inputs dropped while training.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public override string TypeName => "Dropout";

    /// <inheritdoc />
    public override string NamePrefix => "dropout";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => new DropoutModule(Rate);

    // Scoring never drops: the exported graph passes the input on.
    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name) => input;
}
