using MLNet.ConvNet.Architectures;

namespace MLNet.ConvNet;

/// <summary>
/// The fitted network, as ML.NET's trainers expose their model parameters (<c>transformer.Model</c>): its
/// architecture, classes, summary and training history, and read access to every weight as an array with its shape.
/// </summary>
public sealed class ConvNetModelParameters
{
    internal ConvNetModelParameters(ConvNetModule network, IReadOnlyList<EpochMetrics> history, int finalEpoch)
    {
        Network = network;
        History = history;
        FinalEpoch = finalEpoch;
    }

    /// <summary>The architecture the network was built from.</summary>
    public ConvNetArchitecture Architecture => Network.Architecture;

    /// <summary>The shape of one input image.</summary>
    public ImageShape InputShape => Network.InputShape;

    /// <summary>The number of classes the network scores.</summary>
    public int NumberOfClasses => Network.NumberOfClasses;

    /// <summary>Every layer's name, type, output shape and parameter count, in order, as the summary shows them.</summary>
    public IReadOnlyList<LayerSummary> Layers => Network.Layers;

    /// <summary>The Keras-style summary: every layer's output shape and parameter count, then the totals.</summary>
    public string Summary => Network.Summary();

    /// <summary>Loss, accuracy, learning rate and seconds of every training epoch, in order.</summary>
    public IReadOnlyList<EpochMetrics> History { get; }

    /// <summary>The epoch whose weights the network holds: the last one trained, or the best one early stopping restored.</summary>
    public int FinalEpoch { get; }

    /// <summary>
    /// A copy of every weight tensor, in the network's order, such as <c>conv2d.weight</c> with shape
    /// <c>[16, 1, 3, 3]</c> (filters, input channels, height, width) or <c>dense.bias</c> with shape <c>[64]</c>.
    /// Values are row-major; changing the copy changes nothing in the model.
    /// </summary>
    public IReadOnlyList<WeightTensor> GetWeights()
        => Network.SnapshotWeights().Select(t => new WeightTensor(t.Name, t.Shape, t.Values)).ToList();

    internal ConvNetModule Network { get; }
}

/// <summary>One weight tensor of a fitted network.</summary>
/// <param name="Name">The layer's name and the parameter's, such as <c>conv2d_1.weight</c>.</param>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="Values">The values, row-major: the last dimension varies fastest.</param>
public sealed record WeightTensor(string Name, IReadOnlyList<long> Shape, float[] Values);
