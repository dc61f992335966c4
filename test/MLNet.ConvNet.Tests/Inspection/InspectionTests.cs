using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Inspection;

/// <summary>What the library gives pictures: activations, saliency and Grad-CAM as arrays, on fitted and loaded models.</summary>
[TestClass]
public sealed class InspectionTests
{
    private static readonly Lazy<(MLContext Ml, ConvNetTransformer Model, IDataView Train)> _trained = new(() =>
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 2000);
        return (ml, ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 3, Seed = 1 }).Fit(train), train);
    });

    private static (float[] Images, byte[] Labels) TestImages(int count)
    {
        var split = GeneratedDigits.Generate(count, seed: 2);
        return (split.Images.Pixels.Select(p => p * MnistDataset.PixelScale).ToArray(), split.Labels);
    }

    [TestMethod]
    [DataRow("LeNot")]
    [DataRow("SimpleConvNet")]
    public void Activations_HaveTheShapesTheSummaryPrints_AndEndInTheLogitsOfTheScores(string architecture)
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 256);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = architecture, Epochs = 1, Seed = 1 }).Fit(train);
        var (images, _) = TestImages(3);
        var activations = model.Model.GetActivations(images);
        Assert.AreEqual(model.Model.Layers.Count, activations.Count);
        for (int i = 0; i < activations.Count; i++)
        {
            var layer = model.Model.Layers[i];
            Assert.AreEqual(layer.Name, activations[i].LayerName);
            CollectionAssert.AreEqual(new long[] { 3 }.Concat(layer.OutputShape).ToArray(), activations[i].Shape.ToArray(), layer.Name);
            Assert.AreEqual(3 * layer.OutputShape.Aggregate(1L, (a, b) => a * b), activations[i].Values.Length);
        }
        // Layer by layer, as the summary prints it: the summary's shapes appear in its text.
        var firstShape = model.Model.Layers[0].OutputShape;
        StringAssert.Contains(model.Summary, $"(None, {string.Join(", ", firstShape)})");

        var scores = model.Transform(TestData.Digits(ml, 3, seed: 2)).GetColumn<float[]>("Score").ToArray();
        var logits = activations[^1].Values;
        for (int image = 0; image < 3; image++)
        {
            var row = logits.AsSpan(image * 10, 10).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < 10; c++)
                Assert.AreEqual(scores[image][c], Math.Exp(row[c] - max) / sum, 1e-5, $"image {image}, class {c}: softmax of the last layer is the Score");
        }
        var convolution = activations.First(a => a.TypeName == "Conv2D");
        var map = convolution.Map(1, 2).Span;
        int size = (int)(convolution.Shape[2] * convolution.Shape[3]);
        Assert.IsTrue(map.SequenceEqual(convolution.Values.AsSpan((1 * (int)convolution.Shape[1] + 2) * size, size)));
    }

    [TestMethod]
    public void Saliency_OfATrainedModel_LiesOnTheStrokes_NotOnTheEmptyBorder()
    {
        var model = _trained.Value.Model;
        var (images, labels) = TestImages(10);
        double strokes = 0, border = 0, camStrokes = 0, camBorder = 0;
        for (int i = 0; i < 10; i++)
        {
            var image = images[(i * 784)..((i + 1) * 784)];
            var saliency = model.Model.GetSaliency(image, labels[i]);
            var gradCam = model.Model.GetGradCam(image, labels[i]);
            Assert.AreEqual((28, 28, 784), (saliency.Height, saliency.Width, saliency.Values.Length));
            Assert.AreEqual("Grad-CAM on conv2d_1", gradCam.Method, "the last convolution by default");
            Assert.IsTrue(saliency.Values.All(v => v >= 0) && gradCam.Values.All(v => v >= 0));
            var stroke = Enumerable.Range(0, 784).Where(p => image[p] > 0.5f).ToArray();
            var frame = Enumerable.Range(0, 784).Where(p => p / 28 < 3 || p / 28 >= 25 || p % 28 < 3 || p % 28 >= 25).ToArray();
            strokes += stroke.Average(p => saliency.Values[p]);
            border += frame.Average(p => saliency.Values[p]);
            camStrokes += stroke.Average(p => gradCam.Values[p]);
            camBorder += frame.Average(p => gradCam.Values[p]);
        }
        Assert.IsTrue(strokes > 3 * border, $"gradient saliency: mean {strokes / 10:G3} on the strokes against {border / 10:G3} on the border");
        Assert.IsTrue(camStrokes > 1.5 * camBorder, $"Grad-CAM: mean {camStrokes / 10:G3} on the strokes against {camBorder / 10:G3} on the border");
    }

    [TestMethod]
    public void Saliency_LeavesTheModelAsItWas_AndWorksTheSameOnALoadedModel()
    {
        var (ml, model, train) = _trained.Value;
        var (images, labels) = TestImages(1);
        var before = TestData.Weights(model);
        float[] Gradients() => model.Network.parameters().SelectMany(p => p.grad is null ? [] : p.grad.data<float>().ToArray()).ToArray();
        var gradientsBefore = Gradients();
        var first = model.Model.GetSaliency(images, labels[0]);
        model.Model.GetGradCam(images, labels[0]);
        CollectionAssert.AreEqual(gradientsBefore, Gradients(), "the weights' gradients (left by the last training step) are untouched");
        CollectionAssert.AreEqual(before, TestData.Weights(model));

        string path = Path.Combine(TestData.TempDirectory(), "probe.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = (ConvNetTransformer)ml.Model.Load(path, out _);
        var again = loaded.Model.GetSaliency(images, labels[0]);
        CollectionAssert.AreEqual(first.Values, again.Values);
        Assert.AreEqual(first.Probability, again.Probability);
        CollectionAssert.AreEqual(model.Model.GetGradCam(images, labels[0]).Values, loaded.Model.GetGradCam(images, labels[0]).Values);
        CollectionAssert.AreEqual(model.Model.GetActivations(images)[3].Values, loaded.Model.GetActivations(images)[3].Values);
    }

    [TestMethod]
    public void Saliency_IsTheSameFromCallToCall_AndOnOneThreadAsOnTwo()
    {
        // libtorch's oneDNN differentiated LeNot's first layer (6 filters of 5x5 on one channel) wrongly, and differently
        // from call to call and with the thread count (ConvolutionGradientTests); the maps flickered.
        var model = _trained.Value.Model.Model;
        var (images, labels) = TestImages(1);
        var first = model.GetSaliency(images, labels[0]).Values;
        for (int call = 0; call < 4; call++)
            CollectionAssert.AreEqual(first, model.GetSaliency(images, labels[0]).Values, $"call {call + 2}");
        int threads = TorchSharp.torch.get_num_threads();
        try
        {
            TorchSharp.torch.set_num_threads(threads == 1 ? 2 : 1);
            var other = model.GetSaliency(images, labels[0]).Values;
            double largest = first.Max();
            Assert.IsLessThan(1e-5 * largest, first.Zip(other, (a, b) => Math.Abs(a - b)).Max());
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
        }
    }

    [TestMethod]
    public void BadRequests_SayWhatWasExpected()
    {
        var parameters = _trained.Value.Model.Model;
        var image = new float[784];
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentException>(() => parameters.GetActivations(new float[100])).Message,
            "Expected whole images of 1x28x28 (784 values each, channel-major); got 100 values.");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentException>(() => parameters.GetSaliency(new float[1568], 0)).Message,
            "Expected one image of 1x28x28 (784 values); got 1568 values.");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => parameters.GetSaliency(image, 10)).Message,
            "Expected a class index in [0, 10); got 10.");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentException>(() => parameters.GetGradCam(image, 0, "flatten")).Message,
            "Grad-CAM needs a layer that puts out feature maps [channels, height, width]; 'flatten' (Flatten) puts out [400].");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentException>(() => parameters.GetGradCam(image, 0, "conv9")).Message,
            "The network has no layer 'conv9'; its layers are zero_padding2d, conv2d,");
        Assert.AreEqual("max_pooling2d", parameters.GetGradCam(image, 0, "max_pooling2d").Method["Grad-CAM on ".Length..]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => parameters.GetActivations(image)[^1].Map(0, 0)).Message, "not feature maps");
    }
}
