using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Layers;

/// <summary>
/// The module a <see cref="Dropout"/> layer builds: libtorch's dropout arithmetic (keep each input with probability
/// 1 - rate, scale the kept ones by 1 / (1 - rate)), with the masks drawn from a generator the training run owns and
/// seeds per epoch, rather than libtorch's one global generator. So a run resumed from a checkpoint draws the masks
/// the uninterrupted run drew, and two runs in one process at once do not draw from each other's stream. Outside a
/// training run (no generator given) it draws from the global generator, as <c>nn.Dropout</c> does.
/// </summary>
internal sealed class DropoutModule(double rate) : nn.Module<Tensor, Tensor>("Dropout")
{
    /// <summary>The share of inputs dropped while training.</summary>
    public double Rate { get; } = rate;

    /// <summary>Where the masks come from while training; null for libtorch's global generator.</summary>
    public Generator? Generator { get; set; }

    public override Tensor forward(Tensor input)
    {
        if (!training || Rate == 0 || Generator is null)
            return nn.functional.dropout(input, Rate, training);
        using var keep = empty_like(input).bernoulli_(1 - Rate, Generator);
        using var kept = input.mul(keep);
        using Scalar share = (1 - Rate).ToScalar();
        return kept.div(share);
    }
}
