using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Normalises each channel (or each feature, after <see cref="Flatten"/>) with the batch's mean and variance while
/// training and with running averages of them when scoring, then scales and shifts it, as Keras
/// <c>BatchNormalization()</c>. Parameters per channel: a scale and a shift (trainable) and the running mean and
/// variance (non-trainable, saved with the model), so 4 x channels in all, as Keras counts them.
/// </summary>
public sealed class BatchNormalization : LayerSpec, IBuiltInLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="momentum">How much of the running averages each batch keeps, as Keras counts it; in (0, 1). Defaults to 0.99.</param>
    /// <param name="epsilon">Added to the variance before its square root; positive. Defaults to 0.001, as Keras.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public BatchNormalization(double momentum = 0.99, double epsilon = 0.001)
    {
        Momentum = Ranges.Check(momentum, momentum is > 0 and < 1, nameof(momentum), "in (0, 1)");
        Epsilon = Ranges.Check(epsilon, epsilon > 0 && double.IsFinite(epsilon), nameof(epsilon), "a positive finite number");
    }

    /// <summary>How much of the running averages each batch keeps (Keras' momentum; PyTorch's is 1 minus it). Defaults to 0.99.</summary>
    public double Momentum { get; }

    /// <summary>Added to the variance before its square root. Defaults to 0.001.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public override string TypeName => "BatchNormalization";

    /// <inheritdoc />
    public override string NamePrefix => "batch_normalization";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => inputShape.Length is 3 or 1
        ? new Normalizer(inputShape[0], Epsilon, 1 - Momentum)
        : throw new ArgumentException($"BatchNormalization expects an input of rank 3 [channels, height, width] or rank 1 [features], got {Format(inputShape)}.", nameof(inputShape));

    /// <summary>
    /// What TorchSharp's BatchNorm1d and BatchNorm2d compute, with the same parameter and buffer names (weight, bias,
    /// running_mean, running_var), but without their batch counter, whose update passes libtorch a Scalar nothing keeps
    /// alive (Training/Optimizers/LiveScalarSteps.cs says why that crashes); with a fixed momentum the counter is unused.
    /// </summary>
    private sealed class Normalizer : nn.Module<Tensor, Tensor>
    {
        private readonly double _eps, _momentum;

        public Normalizer(long features, double eps, double momentum) : base("batch_normalization")
        {
            _eps = eps;
            _momentum = momentum;
            weight = nn.Parameter(torch.ones(features));
            bias = nn.Parameter(torch.zeros(features));
            running_mean = torch.zeros(features);
            running_var = torch.ones(features);
            register_parameter(nameof(weight), weight);
            register_parameter(nameof(bias), bias);
            register_buffer(nameof(running_mean), running_mean);
            register_buffer(nameof(running_var), running_var);
        }

#pragma warning disable IDE1006 // the names saved models, checkpoints and the ONNX export know
        private readonly TorchSharp.Modules.Parameter weight, bias;
        private readonly Tensor running_mean, running_var;
#pragma warning restore IDE1006

        public override Tensor forward(Tensor input)
            => nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, _momentum, _eps);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("BatchNormalization",
            [input, Initializer(graph, module, "weight", name), Initializer(graph, module, "bias", name), Initializer(graph, module, "running_mean", name), Initializer(graph, module, "running_var", name)],
            name, new Dictionary<string, object> { ["epsilon"] = (float)Epsilon });

    internal override void WriteSettings(LayerSettings settings)
    {
        settings.Set("momentum", Momentum);
        settings.Set("epsilon", Epsilon);
    }

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new BatchNormalization(settings.Double("momentum"), settings.Double("epsilon"));

    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("BatchNormalization", node =>
    {
        if (node.Int("spatial") is 0)
            throw node.Refuse("spatial 0 (one statistic per value); per-channel statistics are read");
        if (node.Int("training_mode") is 1)
            throw node.Refuse("training_mode 1; a network saved for inference is read");
        float epsilon = node.Float("epsilon") ?? 1e-5f;
        float momentum = node.Float("momentum") ?? 0.9f;
        string name = node.AddLayer(new BatchNormalization(Math.Clamp(momentum, 1e-6, 1 - 1e-6), epsilon));
        string[] parameters = ["weight", "bias", "running_mean", "running_var"], what = ["scale", "bias", "mean", "variance"];
        for (int i = 0; i < parameters.Length; i++)
        {
            var (dims, values) = node.Weight(i + 1, what[i]);
            node.AddWeight(name, parameters[i], dims, values);
        }
    })];
}
