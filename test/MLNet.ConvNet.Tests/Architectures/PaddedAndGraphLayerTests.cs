using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>
/// The layers pretrained and imported networks need: uneven padding, convolutions without bias, strided pooling, the
/// residual join, a stand-alone activation, and the preprocessing of a pretrained network's pixels.
/// </summary>
[TestClass]
public sealed class PaddedAndGraphLayerTests
{
    private static float[] Run(LayerSpec layer, long[] shape, float[] input)
    {
        using var scope = NewDisposeScope();
        using var module = layer.Build(shape);
        module.eval();
        return module.forward(tensor(input, [1, .. shape])).data<float>().ToArray();
    }

    [TestMethod]
    public void Conv2D_WithUnevenPadding_PadsEachSideAsGiven_AndWithoutBias_HasOnlyWeights()
    {
        var layer = new Conv2D(1, 3, strides: 2) { ExplicitPadding = new Padding2D(top: 3, bottom: 2, left: 3, right: 2), UseBias = false };
        using var module = layer.Build([1, 8, 8]);
        Assert.AreEqual(1, module.parameters().Count(), "no bias");
        using (no_grad())
            module.parameters().Single().fill_(1);
        // (8 + 3 + 2 - 3) / 2 + 1 = 6 rows and columns; the first window covers rows -3..-1 of padding and nothing else.
        using var output = module.forward(ones(1, 1, 8, 8));
        CollectionAssert.AreEqual(new long[] { 1, 1, 6, 6 }, output.shape);
        Assert.AreEqual(0f, output[0, 0, 0, 0].item<float>(), "a window of padding alone");
        Assert.AreEqual(9f, output[0, 0, 2, 2].item<float>(), "a window inside the image");
    }

    [TestMethod]
    public void Conv2D_RefusesExplicitPaddingWithSame()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new Conv2D(1, 3, padding: ConvPadding.Same) { ExplicitPadding = new Padding2D(1) });
        StringAssert.Contains(error.Message, "Conv2D takes ExplicitPadding or ConvPadding.Same, not both");
    }

    [TestMethod]
    public void MaxPooling2D_WithStridesAndUnevenPadding_NeverPicksThePadding()
    {
        var layer = new MaxPooling2D(3) { Strides = 2, ExplicitPadding = new Padding2D(top: 1, bottom: 0, left: 1, right: 0) };
        var input = Enumerable.Range(0, 16).Select(i => -1f - i).ToArray(); // every pixel negative: a zero pad would win
        var output = Run(layer, [1, 4, 4], input);
        Assert.AreEqual(4, output.Length, "(4 + 1 - 3) / 2 + 1 = 2 by 2");
        Assert.AreEqual(-1f, output[0], "rows -1..1, columns -1..1: the best image pixel, not the padding");
    }

    [TestMethod]
    public void AveragePooling2D_WithPadding_AveragesTheImagePixelsAlone()
    {
        var layer = new AveragePooling2D(2, 2) { ExplicitPadding = new Padding2D(top: 1, bottom: 1, left: 1, right: 1) };
        var output = Run(layer, [1, 2, 2], [1f, 2f, 3f, 4f]);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f }, output, "each 2x2 window holds one pixel and three pads");
    }

    [TestMethod]
    public void PixelNormalization_RepeatsGray_ScalesReordersAndSubtracts_AndUsesTheMeanImageOnlyAtItsSize()
    {
        var layer = new PixelNormalization([10f, 20f, 30f], [1f, 2f, 5f], scale: 255, channelOrder: [2, 1, 0]) { MeanImageSize = (2, 2) };
        var rgb = Run(layer, [3, 1, 1], [0.1f, 0.2f, 0.3f]);
        CollectionAssert.AreEqual(new[] { (0.3f * 255 - 10) / 1, (0.2f * 255 - 20) / 2, (0.1f * 255 - 30) / 5 }, rgb, "BGR, times 255, minus the mean, over the deviation");
        var gray = Run(layer, [1, 1, 1], [0.5f]);
        CollectionAssert.AreEqual(new[] { 127.5f - 10, (127.5f - 20) / 2, (127.5f - 30) / 5 }, gray);
        using var atSize = layer.Build([3, 2, 2]);
        Assert.AreEqual("mean_image", atSize.named_buffers().Single().name, "at 2x2 the mean image is a buffer the weights fill");
        using var otherSize = layer.Build([3, 4, 4]);
        Assert.AreEqual(0, otherSize.named_buffers().Count(), "elsewhere the per-channel mean serves");
    }

    [TestMethod]
    public void ResidualNet_SumsItsBranches_SummarisesWhatEachLayerTakes_AndRefusesJoinsOfOtherShapes()
    {
        using var network = ConvNetModule.Create(new ResidualNet(), new ImageShape(1, 28, 28), 3, seed: 1);
        Assert.IsTrue(network.IsGraph);
        string summary = network.Summary();
        StringAssert.Contains(summary, "Connected to");
        StringAssert.Matches(summary, new System.Text.RegularExpressions.Regex(@"block_sum \(Add\) .* conv2d_1, pool"));
        CollectionAssert.AreEqual(new[] { "conv2d_1", "pool" }, network.Layers.Single(l => l.Name == "block_sum").Inputs.ToArray());

        var bad = new GraphArchitecture("BadJoin", new ImageShape(1, 12, 12),
        [
            new Conv2D(4, 3) { Name = "a" },
            new Conv2D(4, 3) { Name = "b" },
            new Add { Inputs = ["a", "b"] },
            new Flatten(),
            new Dense(3) { Activation = Activation.Softmax },
        ]);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ConvNetModule.Create(bad, new ImageShape(1, 12, 12), 3, seed: 1));
        StringAssert.Contains(error.Message, "Layer 'add' (Add) of architecture 'BadJoin', on 1x12x12 images, joins [4, 10, 10] and [4, 8, 8]: it needs two or more inputs of one shape.");

        var unknown = new GraphArchitecture("Unknown", new ImageShape(1, 12, 12), [new Conv2D(4, 3) { Inputs = ["nowhere"] }, new Flatten(), new Dense(3) { Activation = Activation.Softmax }]);
        error = Assert.ThrowsExactly<ArgumentException>(() => ConvNetModule.Create(unknown, new ImageShape(1, 12, 12), 3, seed: 1));
        StringAssert.Contains(error.Message, "takes 'nowhere', which is no layer before it (the layers before it: none; 'input' is the images).");
    }

    [TestMethod]
    public void TheResidualJoin_IsTheSumOfItsInputs_AndAnIdentityLayerAppliesItsActivation()
    {
        using var network = ConvNetModule.Create(new ResidualNet(), new ImageShape(1, 28, 28), 3, seed: 1);
        network.eval();
        var outputs = new Dictionary<string, float[]>();
        using (inference_mode())
        using (NewDisposeScope())
        {
            var x = rand(2, 1, 28, 28);
            network.Forward(x, (i, output) => outputs[network.Layers[i].Name] = output.data<float>().ToArray());
        }
        var sum = outputs["conv2d_1"].Zip(outputs["pool"], (a, b) => a + b).ToArray();
        CollectionAssert.AreEqual(sum.Select(v => Math.Max(v, 0f)).ToArray(), outputs["block_sum"], "Add with a Relu: relu(a + b)");
        var tanh = outputs["block_sum"].Select(v => MathF.Tanh(v)).ToArray();
        for (int i = 0; i < tanh.Length; i++)
            Assert.AreEqual(tanh[i], outputs["identity"][i], 1e-6f, "an Identity layer with Tanh");
    }

    [TestMethod]
    public void AResidualNetwork_ShowsItsActivations_AndGradCam_LikeAPlainStack()
    {
        TestSetup.EnsureRegistered();
        var ml = new Microsoft.ML.MLContext(seed: 1);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(architecture: "ResidualNet", epochs: 1).Fit(TestData.Digits(ml, 128));
        var image = TestData.Digits(ml, 1, seed: 2).GetColumn<float[]>("Features").Single();
        var activations = model.Model.GetActivations(image);
        CollectionAssert.AreEqual(model.Model.Layers.Select(l => l.Name).ToArray(), activations.Select(a => a.LayerName).ToArray());
        var joined = model.Model.GetGradCam(image, classIndex: 3, layerName: "block_sum");
        Assert.AreEqual(28, joined.Height);
        Assert.IsTrue(joined.Values.Any(v => v > 0), "the residual join's Grad-CAM has some signal");
        Assert.AreEqual(28 * 28, model.Model.GetGradCam(image, classIndex: 3).Values.Length, "the default: the last convolution");
    }

    /// <summary>conv -> pool -> conv, joined with the pool's output: a residual block, then a classifier.</summary>
    internal sealed class ResidualNet : ConvNetArchitecture
    {
        public override string Name => "ResidualNet";

        public override ImageShape InputShape => new(1, 28, 28);

        public override int DefaultEpochs => 1;

        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
        [
            new Conv2D(16, 3) { Activation = Activation.Relu },
            new MaxPooling2D(2) { Name = "pool" },
            new Conv2D(16, 3, padding: ConvPadding.Same),
            new Add { Name = "block_sum", Inputs = ["conv2d_1", "pool"], Activation = Activation.Relu },
            new Identity { Activation = Activation.Tanh },
            new Flatten(),
            new Dense(numberOfClasses) { Activation = Activation.Softmax },
        ];
    }
}
