using MLNet.ConvNet.Architectures;
using TorchSharp;

namespace MLNet.ConvNet.Scoring;

/// <summary>Runs the network on a batch of feature vectors and returns the softmax probabilities.</summary>
internal sealed class BatchScorer
{
    private readonly ConvNetModule _network;
    private readonly torch.Device _device;

    public BatchScorer(ConvNetModule network, TestTimeAugmentation testTime = TestTimeAugmentation.None)
    {
        _network = network;
        _device = network.parameters().First().device;
        TestTimeAugmentation = testTime;
    }

    /// <summary>What each image's probabilities are averaged over.</summary>
    public TestTimeAugmentation TestTimeAugmentation { get; }

    public ConvNetModule Network => _network;

    public int Classes => _network.NumberOfClasses;

    /// <summary>Scores the first <paramref name="rows"/> images of <paramref name="features"/> into <paramref name="probabilities"/> (rows x classes).</summary>
    public void Score(float[] features, int rows, float[] probabilities)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var x = InputBatch.Images(features, 0, rows, _network.InputShape, _device);
        var scores = _network.Probabilities(x);
        if (TestTimeAugmentation == TestTimeAugmentation.HorizontalFlip)
        {
            // The mean of the image's and its mirror's probabilities (width is the last dimension).
            using Scalar one = 1.ToScalar(), half = 0.5.ToScalar();
            scores = scores.add(_network.Probabilities(x.flip(3)), one).mul(half);
        }
        var output = scores.cpu().contiguous();
        output.data<float>().CopyTo(probabilities.AsSpan(0, rows * Classes));
    }

    /// <summary>The 1-based key of the most probable class (the first one on ties).</summary>
    public static uint ArgMaxKey(ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[best])
                best = i;
        }
        return (uint)best + 1;
    }
}
