using MLNet.ConvNet.Layers;
using MLNet.ConvNet.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// Builds one layer for the shapes that reach it and finds the shape it puts out by running zeros through it (a join
/// says its shape itself): what the network does for each layer when it is built, and what the ONNX import does to know
/// the shapes its nodes see. No hand-computed sizes.
/// </summary>
internal static class LayerProbe
{
    /// <summary>The layer's module (in scoring mode) and its output shape, without the batch.</summary>
    /// <exception cref="ArgumentException">The layer cannot take these shapes; the message says why.</exception>
    public static (nn.Module<Tensor, Tensor> Module, long[] Output) Build(LayerSpec spec, IReadOnlyList<long[]> reaching)
    {
        TorchRuntime.EnsureLoaded();
        var module = spec.Build(reaching[0]);
        try
        {
            module.eval();
            if (spec.Joins)
                return (module, spec.JoinShape(reaching));
            using var noGrad = torch.no_grad();
            using var probe = torch.zeros([1, .. reaching[0]]);
            using var result = module.forward(probe);
            return (module, result.shape[1..]);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>The shape <paramref name="spec"/> puts out for <paramref name="reaching"/>, its module disposed.</summary>
    /// <exception cref="ArgumentException">The layer cannot take these shapes.</exception>
    public static long[] OutputShape(LayerSpec spec, IReadOnlyList<long[]> reaching)
    {
        var (module, output) = Build(spec, reaching);
        module.Dispose();
        return output;
    }
}
