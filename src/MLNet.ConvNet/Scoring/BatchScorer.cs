using Microsoft.ML.Data;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Scoring;

/// <summary>Runs the network on a batch of feature vectors and returns the softmax probabilities.</summary>
internal sealed class BatchScorer
{
    private readonly ConvNetModel _model;
    private readonly Device _device;
    private readonly ImageShape _shape;

    public BatchScorer(ConvNetModel model)
    {
        _model = model;
        _device = model.parameters().First().device;
        _shape = model.Architecture.InputShape;
    }

    public int Classes => _model.NumberOfClasses;

    /// <summary>Scores the first <paramref name="rows"/> images of <paramref name="features"/> into <paramref name="probabilities"/> (rows x classes).</summary>
    public void Score(float[] features, int rows, float[] probabilities)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var x = torch.frombuffer(features, ScalarType.Float32, (long)rows * _shape.Size).view(rows, _shape.Channels, _shape.Height, _shape.Width);
        var output = _model.Probabilities(TensorLayout.ToChannelsLast(x.to(_device))).cpu().contiguous();
        output.data<float>().CopyTo(probabilities.AsSpan(0, rows * Classes));
    }
}
