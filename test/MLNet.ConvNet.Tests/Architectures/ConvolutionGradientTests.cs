using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>
/// The gradient a Conv2D layer gives its input, against the same sums done by hand in double precision. libtorch 2.10's
/// oneDNN gets it wrong for small layers on a channel-major input (found through a saliency test that failed now and
/// then: 20-40% off for fewer than 16 filters of 5x5, and different with one thread and two); Conv2D keeps its input
/// channels-last when it has fewer than 16 filters and gives a 1-channel input a zero second channel, so these hold
/// whatever the input's layout.
/// </summary>
[TestClass]
public sealed class ConvolutionGradientTests
{
    public static IEnumerable<object[]> Layers =>
    [
        [1, 6, 5, false],   // LeNot's first layer: what its saliency maps differentiate
        [1, 8, 5, false],
        [3, 6, 5, true],    // an RGB image that reached the layer channel-major
        [8, 8, 5, true],
        [8, 15, 3, true],
        [1, 16, 3, false],
    ];

    [TestMethod]
    [DynamicData(nameof(Layers))]
    public void TheGradientOfTheInput_IsTheConvolutionsOwn_OnOneThreadAndOnTwo(int channels, int filters, int kernel, bool channelMajor)
    {
        const int size = 12, batch = 2;
        using var scope = torch.NewDisposeScope();
        var layer = new Conv2D(filters, kernel) { UseBias = true }.Build([channels, size, size]);
        torch.manual_seed(3);
        var upstreamSize = size - kernel + 1;
        var input = torch.rand(batch, channels, size, size);
        var upstream = torch.randn(batch, filters, upstreamSize, upstreamSize);
        using (torch.no_grad())
        {
            foreach (var (_, parameter) in layer.named_parameters())
                parameter.copy_(torch.randn(parameter.shape));
        }
        var weight = layer.named_parameters().Single(p => p.name == "weight").parameter.detach().data<float>().ToArray();
        var expected = ByHand(weight, upstream.data<float>().ToArray(), batch, channels, filters, kernel, size);
        int before = torch.get_num_threads();
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                torch.set_num_threads(threads);
                var x = (channelMajor ? input.clone() : InputBatch.ToChannelsLast(input.clone())).requires_grad_(true);
                var gradient = torch.autograd.grad([(layer.forward(x) * upstream).sum()], [x])[0].contiguous().data<float>().ToArray();
                double largest = expected.Max(Math.Abs), worst = expected.Zip(gradient, (e, g) => Math.Abs(e - g)).Max();
                Assert.IsLessThan(1e-5, worst / largest, $"{threads} thread(s): the largest difference is {worst / largest:P2} of the largest gradient");
            }
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [TestMethod]
    public void ALargeLayer_GivenAChannelMajorInput_ComputesItsOwnConvolution()
    {
        // ResNet18's last downsampling, which oneDNN computes 87% off when its input is channels-last: Conv2D must leave
        // a large layer's channel-major input as it is.
        using var scope = torch.NewDisposeScope();
        var layer = new Conv2D(512, 1, strides: 2) { UseBias = false }.Build([256, 4, 4]);
        torch.manual_seed(5);
        var input = torch.rand(2, 256, 4, 4);
        var weight = layer.named_parameters().Single(p => p.name == "weight").parameter.detach();
        Tensor output;
        using (torch.no_grad())
            output = layer.forward(input);
        var expected = nn.functional.conv2d(input.to(ScalarType.Float64), weight.to(ScalarType.Float64), strides: [2, 2]);
        double worst = (output.to(ScalarType.Float64) - expected).abs().max().item<double>();
        double largest = expected.abs().max().item<double>();
        Assert.IsLessThan(1e-5, worst / largest, $"the largest difference is {worst / largest:P2} of the largest output");
    }

    /// <summary>d(sum(conv(x) * upstream)) / dx, summed over every filter and position, in double precision.</summary>
    private static double[] ByHand(float[] weight, float[] upstream, int batch, int channels, int filters, int kernel, int size)
    {
        int outputSize = size - kernel + 1;
        var gradient = new double[batch * channels * size * size];
        for (int n = 0; n < batch; n++)
            for (int f = 0; f < filters; f++)
                for (int y = 0; y < outputSize; y++)
                    for (int x = 0; x < outputSize; x++)
                    {
                        double u = upstream[((n * filters + f) * outputSize + y) * outputSize + x];
                        for (int c = 0; c < channels; c++)
                            for (int ky = 0; ky < kernel; ky++)
                                for (int kx = 0; kx < kernel; kx++)
                                    gradient[((n * channels + c) * size + y + ky) * size + x + kx] += u * weight[((f * channels + c) * kernel + ky) * kernel + kx];
                    }
        return gradient;
    }
}
