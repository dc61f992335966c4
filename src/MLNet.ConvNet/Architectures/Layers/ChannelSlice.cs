using MLNet.ConvNet.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// A run of consecutive channels of its input: <see cref="Count"/> channels from <see cref="Start"/>, as
/// <c>x[:, start:start + count]</c> in PyTorch. ShuffleNetV2's units split their input in two halves so
/// (<c>x.chunk(2, dim=1)</c>), one half passing on untouched. No parameters.
/// </summary>
public sealed class ChannelSlice : LayerSpec, IBuiltInLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="start">The first channel taken, from 0.</param>
    /// <param name="count">How many channels are taken.</param>
    /// <exception cref="ArgumentOutOfRangeException">The start is negative or the count not positive.</exception>
    public ChannelSlice(int start, int count)
    {
        Start = Ranges.Check(start, start >= 0, nameof(start), "0 or more");
        Count = Ranges.Check(count, count > 0, nameof(count), "at least 1");
    }

    /// <summary>The first channel taken, from 0.</summary>
    public int Start { get; }

    /// <summary>How many channels are taken.</summary>
    public int Count { get; }

    /// <inheritdoc />
    public override string TypeName => "ChannelSlice";

    /// <inheritdoc />
    public override string NamePrefix => "channel_slice";

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] inputShape)
    {
        if (inputShape.Length == 0 || Start + Count > inputShape[0])
            throw new ArgumentException($"ChannelSlice takes channels {Start} to {Start + Count - 1}, but its input {Format(inputShape)} has {(inputShape.Length == 0 ? 0 : inputShape[0])}.", nameof(inputShape));
        return new Channels(Start, Count);
    }

    internal override string ExportOnnx(IOnnxGraph graph, string input, long[] inputShape, nn.Module<Tensor, Tensor> module, string name)
        => graph.AddNode("Slice", [input, graph.AddInitializer(new long[] { Start }, [1], $"{name}.starts"), graph.AddInitializer(new long[] { Start + Count }, [1], $"{name}.ends"), graph.AddInitializer(new long[] { 1 }, [1], $"{name}.axes")], name);

    internal override void WriteSettings(LayerSettings settings)
    {
        settings.Set("start", Start);
        settings.Set("count", Count);
    }

    static LayerSpec IBuiltInLayer.Read(LayerSettings settings) => new ChannelSlice(settings.Int("start"), settings.Int("count"));

    /// <summary>A Slice of the channels (axis 1, step 1) with constant bounds (shape arithmetic the import worked out).</summary>
    static IEnumerable<OnnxReader> IBuiltInLayer.OnnxReaders => [new("Slice", node =>
    {
        var shape = node.ShapeOf(0);
        var starts = node.Ints("starts") ?? node.Longs(1);
        var ends = node.Ints("ends") ?? node.Longs(2);
        var axes = node.Ints("axes") ?? (node.HasInput(3) ? node.Longs(3) : [0]);
        var steps = node.HasInput(4) ? node.Longs(4) : [1];
        if (starts is not [long start] || ends is not [long end] || axes is not [long axis] || steps is not [1] || axis != 1 && axis != -shape.Length)
            throw node.Refuse($"starts [{string.Join(", ", starts ?? [])}], ends [{string.Join(", ", ends ?? [])}], axes [{string.Join(", ", axes ?? [])}] and steps [{string.Join(", ", steps ?? [])}]; a slice of the channels (axis 1, step 1) with known bounds is read");
        long channels = shape[0];
        start = Math.Clamp(start < 0 ? start + channels : start, 0, channels);
        end = Math.Clamp(end < 0 ? end + channels : end, start, channels);
        if (start == 0 && end == channels)
            node.PassOn(0);
        else if (end > start)
            node.AddLayer(new ChannelSlice((int)start, (int)(end - start)));
        else
            throw node.Refuse($"the empty range of channels [{start}, {end})");
    })];

    private sealed class Channels(long start, long count) : nn.Module<Tensor, Tensor>("channel_slice")
    {
        public override Tensor forward(Tensor input) => input.narrow(1, start, count);
    }
}
