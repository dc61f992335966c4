using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>
/// libtorch 2.10's CPU 1x1 convolution of a channels-last batch of more than one image is wrong for some shapes: 512
/// filters over 4x4 or 2x2 maps were off by whole units (found importing torchvision's ResNet18, whose last downsample
/// at 64x64 is one). Conv2D runs 1x1 kernels on the channel-major copy, so its outputs and gradients are the
/// convolution's own, in double precision, whatever the layout.
/// </summary>
[TestClass]
public sealed class PointwiseConvolutionTests
{
    public static IEnumerable<object[]> Shapes =>
    [
        [256, 512, 4, 1], [256, 512, 4, 2], [64, 512, 4, 1], [512, 512, 2, 1], [128, 256, 4, 2], [256, 512, 8, 1],
    ];

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void A1x1Convolution_OfAChannelsLastBatch_IsTheConvolutionInDoublePrecision(int channels, int filters, int size, int stride)
    {
        const int batch = 3;
        using var scope = torch.NewDisposeScope();
        var layer = new Conv2D(filters, 1, stride) { UseBias = true }.Build([channels, size, size]);
        torch.manual_seed(5);
        using (torch.no_grad())
        {
            foreach (var (_, parameter) in layer.named_parameters())
                parameter.copy_(torch.randn(parameter.shape).mul(0.1));
        }
        var input = torch.rand(batch, channels, size, size);
        var weight = layer.named_parameters().Single(p => p.name == "weight").parameter;
        var bias = layer.named_parameters().Single(p => p.name == "bias").parameter;
        var x64 = input.to(ScalarType.Float64).requires_grad_(true);
        var expected = nn.functional.conv2d(x64, weight.detach().to(ScalarType.Float64), bias.detach().to(ScalarType.Float64), strides: [stride, stride]);
        var upstream = torch.randn(expected.shape);
        var expectedGradient = torch.autograd.grad([(expected * upstream.to(ScalarType.Float64)).sum()], [x64])[0];
        expected = expected.detach();

        var x = InputBatch.ToChannelsLast(input.clone()).requires_grad_(true);
        var output = layer.forward(x);
        double scale = expected.abs().max().item<double>();
        double worst = (output.to(ScalarType.Float64) - expected).abs().max().item<double>();
        Assert.IsLessThan(1e-5, worst / scale, $"the output is off by {worst:E2} for outputs up to {scale:E2}");
        Assert.IsTrue(InputBatch.IsChannelsLast(output), "the output stays channels-last");
        var gradient = torch.autograd.grad([(output * upstream).sum()], [x])[0];
        double gradientScale = expectedGradient.abs().max().item<double>();
        double gradientWorst = (gradient.to(ScalarType.Float64) - expectedGradient).abs().max().item<double>();
        Assert.IsLessThan(1e-5, gradientWorst / gradientScale, $"the input's gradient is off by {gradientWorst:E2} for gradients up to {gradientScale:E2}");
    }
}
