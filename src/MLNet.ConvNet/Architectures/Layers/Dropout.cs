using MLNet.ConvNet.Common;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Sets a random share of its inputs to zero while training and scales the rest up to keep their sum, as Keras
/// <c>Dropout(rate)</c>; when scoring it passes its input through unchanged. No parameters.
/// </summary>
public sealed class Dropout : LayerSpec, IBuiltInLayer
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

    internal override void WriteSettings(LayerSettings settings) => settings.Set("rate", Rate);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new Dropout(settings.Double("rate"));

    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Dropout", node =>
    {
        float rate = node.Float("ratio") ?? (node.HasInput(1) && node.IsConstant(1) ? node.Weight(1, "ratio").Values[0] : 0.5f);
        node.AddLayer(new Dropout(Math.Clamp(rate, 0, 0.999)));
    })];
}
