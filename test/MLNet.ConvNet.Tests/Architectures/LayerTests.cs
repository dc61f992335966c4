using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using TorchSharp;

namespace MLNet.ConvNet.Tests.Architectures;

/// <summary>Each layer type: its Keras parameter count and output shape, and how it behaves in training and in scoring.</summary>
[TestClass]
public sealed class LayerTests
{
    [TestMethod]
    public void EveryLayerNet_HasKerasParameterCounts_AndOutputShapes()
    {
        using var model = new ConvNetModule(new EveryLayerNet(), 10);
        var rows = model.Layers.ToDictionary(l => l.Name);
        void Expect(string name, long parameters, params long[] shape)
        {
            Assert.AreEqual(parameters, rows[name].Parameters, name);
            CollectionAssert.AreEqual(shape, rows[name].OutputShape, name);
        }
        Expect("conv2d", 3 * 3 * 1 * 16 + 16, 16, 28, 28);          // "same": the size stays
        Expect("batch_normalization", 4 * 16, 16, 28, 28);          // gamma, beta, moving mean and variance
        Expect("conv2d_1", 4 * 4 * 16 * 16 + 16, 16, 28, 28);       // even kernel, "same"
        Expect("conv2d_2", 3 * 3 * 16 * 32 + 32, 32, 13, 13);       // stride 2, "valid": floor((28 - 3) / 2) + 1
        Expect("average_pooling2d", 0, 32, 6, 6);
        Expect("dropout", 0, 32, 6, 6);
        Expect("conv2d_3", 3 * 3 * 32 * 32 + 32, 32, 4, 4);
        Expect("global_average_pooling2d", 0, 32);
        Expect("batch_normalization_1", 4 * 32, 32);
        Expect("dense", 32 * 64 + 64, 64);
        Expect("dropout_1", 0, 64);
        Expect("dense_1", 64 * 32 + 32, 32);
        Expect("dense_2", 32 * 10 + 10, 10);
        Assert.AreEqual(22_874, model.TotalParameters);
        Assert.AreEqual(22_874 - 2 * 16 - 2 * 32, model.TrainableParameters, "the moving statistics are not trainable");
        StringAssert.Contains(model.Summary(), "Non-trainable params: 96 (384 B)");
    }

    [TestMethod]
    [DataRow(28, 3, 1, 28)]
    [DataRow(28, 3, 2, 14)]
    [DataRow(27, 4, 2, 14)]
    [DataRow(5, 5, 1, 5)]
    public void SamePadding_GivesTheInputSizeDividedByTheStride_RoundedUp(int size, int kernel, int strides, int expected)
    {
        var layer = new Conv2D(4, kernel, strides, ConvPadding.Same);
        using var module = layer.Build([2, size, size]);
        using var output = module.forward(torch.zeros(1, 2, size, size));
        CollectionAssert.AreEqual(new long[] { 1, 4, expected, expected }, output.shape);
    }

    [TestMethod]
    public void Dropout_DropsOnlyInTraining_AndBatchNormalisation_ScoresWithItsRunningStatistics()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = EveryLayerNet.ArchitectureName, Epochs = 1 })
            .Fit(TestData.Digits(ml, 512));
        var test = TestData.Digits(ml, 64, seed: 2);
        var batch = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        CollectionAssert.AreEqual(batch.SelectMany(s => s).ToArray(), model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), "scoring is deterministic: no dropout");

        // One image alone scores as it does inside a batch of 64: the running statistics, not the batch's, normalise it.
        var engine = ml.Model.CreatePredictionEngine<Digit, Prediction>(model);
        var pixels = test.GetColumn<float[]>("Features").ToArray();
        for (int i = 0; i < 5; i++)
        {
            var alone = engine.Predict(new Digit { Features = pixels[i] }).Score;
            for (int c = 0; c < 10; c++)
                Assert.AreEqual(batch[i][c], alone[c], 1e-5f, $"image {i}, class {c}");
        }

        // In training mode the same network does drop units and use the batch's statistics: two passes differ.
        var network = model.Model.Network;
        network.train();
        using var x = torch.tensor(pixels.Take(8).SelectMany(p => p).ToArray(), [8, 1, 28, 28]);
        using var first = network.forward(x);
        using var second = network.forward(x);
        Assert.IsFalse(first.allclose(second), "dropout is active while training");
        network.eval();
    }

    [TestMethod]
    public void BadLayerSettings_AreRefused_WithTheNameAndTheRange()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Dropout(1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new BatchNormalization(momentum: 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Conv2D(8, 3, strides: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AveragePooling2D(0));
        var error = Assert.ThrowsExactly<ArgumentException>(() => new GlobalAveragePooling2D().Build([16]));
        StringAssert.Contains(error.Message, "GlobalAveragePooling2D expects an input of rank 3 [channels, height, width], got [16].");
    }

    private sealed class Digit
    {
        [Microsoft.ML.Data.VectorType(784)]
        public float[] Features { get; set; }
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; }
    }
}
