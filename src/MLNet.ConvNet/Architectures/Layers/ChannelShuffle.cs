using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// Interleaves the channels of <see cref="Groups"/> groups, as ShuffleNet's channel shuffle: channel <c>g * (C / groups) + i</c>
/// becomes channel <c>i * groups + g</c>, so that the next grouped layer sees channels of every group. PyTorch writes it
/// as a reshape to <c>[N, groups, C / groups, H, W]</c>, a transpose of the two middle axes and a reshape back, which
/// is what the ONNX import reads and the export writes. No parameters.
/// </summary>
public sealed class ChannelShuffle : LayerSpec, IBuiltInLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="groups">How many groups the channels interleave from.</param>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 1 group.</exception>
    public ChannelShuffle(int groups) => Groups = Ranges.Check(groups, groups >= 1, nameof(groups), "at least 1");

    /// <summary>How many groups the channels interleave from.</summary>
    public int Groups { get; }

    /// <inheritdoc />
    public override string TypeName => "ChannelShuffle";

    /// <inheritdoc />
    public override string NamePrefix => "channel_shuffle";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        RequireImage(inputShape);
        if (inputShape[0] % Groups != 0)
            throw new ArgumentException($"ChannelShuffle of {Groups} groups needs channels that divide by {Groups}, got {Format(inputShape)}.", nameof(inputShape));
        return new Shuffle(Groups);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
    {
        long channels = inputShape[0], height = inputShape[1], width = inputShape[2];
        string grouped = graph.AddNode("Reshape", [input, graph.AddInitializer(new long[] { -1, Groups, channels / Groups, height, width }, [5], $"{name}.grouped_shape")], $"{name}.grouped");
        string swapped = graph.AddNode("Transpose", [grouped], $"{name}.swapped", new Dictionary<string, object> { ["perm"] = new long[] { 0, 2, 1, 3, 4 } });
        return graph.AddNode("Reshape", [swapped, graph.AddInitializer(new long[] { -1, channels, height, width }, [4], $"{name}.shape")], name);
    }

    internal override void WriteSettings(LayerSettings settings) => settings.Set("groups", Groups);

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new ChannelShuffle(settings.Int("groups"));

    /// <summary>The Reshape, Transpose and Reshape that the import's rewrites made one node of, with the first reshape's target.</summary>
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("ChannelShuffle", node =>
    {
        var shape = node.ShapeOf(0);
        if (node.Longs(1) is not [_, long groups, long perGroup, long height, long width] || shape.Length != 3 || groups * perGroup != shape[0] || height != shape[1] || width != shape[2])
            throw node.Refuse($"a reshape of [N, {string.Join(", ", shape)}] to [{string.Join(", ", node.Longs(1) ?? [])}] before the transpose of axes 1 and 2; a channel shuffle ([N, groups, C / groups, H, W]) is read");
        node.AddLayer(new ChannelShuffle((int)groups));
    })];

    private sealed class Shuffle(long groups) : nn.Module<Tensor, Tensor>("channel_shuffle")
    {
        public override Tensor forward(Tensor input)
        {
            long n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
            using var grouped = input.reshape(n, groups, c / groups, h, w);
            using var swapped = grouped.transpose(1, 2);
            return swapped.reshape(n, c, h, w);
        }
    }
}
