using MLNet.ConvNet.Architectures;
using TorchSharp;

namespace MLNet.ConvNet.Scoring;

/// <summary>Runs the network on a batch of feature vectors and returns the task's scores (class probabilities, a log-odds, a number).</summary>
internal sealed class BatchScorer
{
    private readonly ConvNetModule _network;
    private readonly torch.Device _device;

    public BatchScorer(ConvNetModule network, ConvNetTask task, TestTimeAugmentation testTime = TestTimeAugmentation.None)
    {
        _network = network;
        Task = task;
        _device = network.parameters().First().device;
        TestTimeAugmentation = testTime;
    }

    /// <summary>What the network's outputs mean, and how they become scores.</summary>
    public ConvNetTask Task { get; }

    /// <summary>What each image's scores are averaged over.</summary>
    public TestTimeAugmentation TestTimeAugmentation { get; }

    public ConvNetModule Network => _network;

    /// <summary>The network's outputs per image.</summary>
    public int Outputs => _network.NumberOfClasses;

    /// <summary>The scores per image: <see cref="Outputs"/> class probabilities, or one value.</summary>
    public int Width => Task.ScoreWidth(Outputs);

    /// <summary>Scores the first <paramref name="rows"/> images of <paramref name="features"/> into <paramref name="scores"/> (rows x <see cref="Width"/>).</summary>
    public void Score(float[] features, int rows, float[] scores)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var x = InputBatch.Images(features, 0, rows, _network.InputShape, _device);
        var result = Task.Scores(_network.forward(x));
        if (TestTimeAugmentation == TestTimeAugmentation.HorizontalFlip)
        {
            // The mean of the image's and its mirror's scores (width is the last dimension).
            using Scalar one = 1.ToScalar(), half = 0.5.ToScalar();
            result = result.add(Task.Scores(_network.forward(x.flip(3))), one).mul(half);
        }
        var output = result.cpu().contiguous();
        output.data<float>().CopyTo(scores.AsSpan(0, rows * Width));
    }
}
