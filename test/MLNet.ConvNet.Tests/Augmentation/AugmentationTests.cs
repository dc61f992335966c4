using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Augmentation;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Layers;
using MLNet.ConvNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Tests.Augmentation;

[TestClass]
public sealed class AugmentationTests
{
    private static readonly ImageShape Mnist = new(1, 28, 28);

    private static float[] OnePixel(int row, int column, int height = 28, int width = 28)
    {
        var image = new float[height * width];
        image[row * width + column] = 1f;
        return image;
    }

    /// <summary>Image <paramref name="image"/> warped by one fixed transform.</summary>
    private static float[] Warp(float[] image, AffineTransform transform, int height = 28, int width = 28, AugmentationFill fill = AugmentationFill.Zeros)
    {
        using var scope = torch.NewDisposeScope();
        var batch = torch.tensor(image, [1, 1, height, width]);
        return AffineWarp.Apply(batch, [transform], fill).contiguous().data<float>().ToArray();
    }

    /// <summary>The brightness-weighted centre (row, column) of an image.</summary>
    private static (double Row, double Column) Centroid(float[] image, int width = 28)
    {
        double sum = 0, row = 0, column = 0;
        for (int i = 0; i < image.Length; i++)
        {
            sum += image[i];
            row += image[i] * (i / width);
            column += image[i] * (i % width);
        }
        return (row / sum, column / sum);
    }

    private static float[] FirstImages(int count)
    {
        var split = GeneratedDigits.Generate(count);
        return split.Images.Pixels.Select(p => p * MnistDataset.PixelScale).ToArray();
    }

    [TestMethod]
    public void ZeroRanges_AreTheIdentity_BitForBit()
    {
        var images = FirstImages(64);
        var none = new ImageAugmentation();
        Assert.IsTrue(none.IsIdentity);
        Assert.AreEqual("none", none.ToString());
        CollectionAssert.AreEqual(images, none.Apply(images, Mnist, seed: 7), "Every range 0: each image passes unchanged.");

        // In a batch where some images are transformed, an identity transform still leaves its image exactly as it was.
        using var scope = torch.NewDisposeScope();
        var batch = torch.tensor(images[..(2 * 784)], [2, 1, 28, 28]);
        var warped = AffineWarp.Apply(batch, [AffineTransform.Identity, AffineTransform.Identity with { RotationDegrees = 20 }], AugmentationFill.Zeros)
            .contiguous().data<float>().ToArray();
        CollectionAssert.AreEqual(images[..784], warped[..784]);
        CollectionAssert.AreNotEqual(images[784..(2 * 784)], warped[784..]);
    }

    [TestMethod]
    public void ZeroRanges_TrainTheSameWeightsAsNoAugmentation_BitForBit()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 512);
        ConvNetTrainer.Options Options(ImageAugmentation augmentation) => new() { Architecture = "LeNot", Epochs = 1, Seed = 3, Augmentation = augmentation };
        using var plain = ml.MulticlassClassification.Trainers.ConvNet(Options(null)).Fit(train);
        using var zero = ml.MulticlassClassification.Trainers.ConvNet(Options(new ImageAugmentation())).Fit(train);
        using var digits = ml.MulticlassClassification.Trainers.ConvNet(Options(ImageAugmentation.Digits)).Fit(train);
        CollectionAssert.AreEqual(TestData.Weights(plain), TestData.Weights(zero));
        CollectionAssert.AreNotEqual(TestData.Weights(plain), TestData.Weights(digits), "Augmentation changes what the network is trained on.");
        Assert.IsNull(zero.Model.Augmentation, "A zero-range augmentation is no augmentation, and the model says so.");
    }

    [TestMethod]
    public void RotationBy90Degrees_MovesAPixelRightOfCentre_ToAboveTheCentre()
    {
        // Counter-clockwise as seen: the pixel 6 columns right of the centre (row 14, column 20 of 28x28) goes 6 rows up, to row 7, column 14.
        var rotated = Warp(OnePixel(14, 20), AffineTransform.Identity with { RotationDegrees = 90 });
        int brightest = Array.IndexOf(rotated, rotated.Max());
        Assert.AreEqual((7, 14), (brightest / 28, brightest % 28));
        Assert.AreEqual(1f, rotated[brightest], 1e-5f, "A quarter turn lands on a pixel centre: the value arrives whole.");
        Assert.AreEqual(1f, rotated.Sum(), 1e-5f);
    }

    [TestMethod]
    public void RotationBy30Degrees_MovesAPixelWhereTheGeometrySays()
    {
        // About the image centre (13.5, 13.5 in pixel indices), counter-clockwise on screen with rows running down.
        var rotated = Warp(OnePixel(10, 20), AffineTransform.Identity with { RotationDegrees = 30 });
        double a = Math.PI / 6, x = 20 - 13.5, y = 10 - 13.5;
        double expectedColumn = 13.5 + x * Math.Cos(a) + y * Math.Sin(a);
        double expectedRow = 13.5 - x * Math.Sin(a) + y * Math.Cos(a);
        var (row, column) = Centroid(rotated);
        Assert.AreEqual(expectedRow, row, 0.2, $"row; expected {expectedRow:F2}, got {row:F2}");
        Assert.AreEqual(expectedColumn, column, 0.2, $"column; expected {expectedColumn:F2}, got {column:F2}");
    }

    [TestMethod]
    public void ShiftZoomShearAndFlip_MoveAPixelWhereExpected()
    {
        static (int Row, int Column) Brightest(float[] image) => (Array.IndexOf(image, image.Max()) / 28, Array.IndexOf(image, image.Max()) % 28);
        Assert.AreEqual((12, 8), Brightest(Warp(OnePixel(10, 5), AffineTransform.Identity with { ShiftX = 3, ShiftY = 2 })), "3 right, 2 down");
        Assert.AreEqual((10, 22), Brightest(Warp(OnePixel(10, 5), AffineTransform.Identity with { FlipHorizontal = true })), "mirrored about the centre column");
        // Twice the size about the centre (13.5): 3.5 columns right of it becomes 7 right (20.5), half a row above becomes one above (12.5).
        var zoomed = Warp(OnePixel(13, 17), AffineTransform.Identity with { Scale = 2 });
        var (row, column) = Centroid(zoomed);
        Assert.AreEqual(12.5, row, 1e-4);
        Assert.AreEqual(20.5, column, 1e-4);
        Assert.AreEqual(4f, zoomed.Sum(), 1e-4f, "the pixel now covers four");
        // A positive shear leans the top of the image to the right: a pixel above the centre moves right.
        var sheared = Centroid(Warp(OnePixel(3, 14), AffineTransform.Identity with { ShearDegrees = 20 }));
        Assert.AreEqual(3, sheared.Row, 0.2);
        Assert.AreEqual(14 + (13.5 - 3) * Math.Tan(Math.PI / 9), sheared.Column, 0.2);
    }

    [TestMethod]
    public void Fill_DecidesWhatTheUncoveredPixelsHold()
    {
        var grey = Enumerable.Repeat(0.5f, 784).ToArray();
        var shift = AffineTransform.Identity with { ShiftX = 5 };
        Assert.AreEqual(0f, Warp(grey, shift, fill: AugmentationFill.Zeros)[28 * 10 + 1], "zeros: the uncovered left edge is black");
        Assert.AreEqual(0.5f, Warp(grey, shift, fill: AugmentationFill.Nearest)[28 * 10 + 1], 1e-6f, "nearest: the edge pixel repeats");
        Assert.AreEqual(0.5f, Warp(grey, shift, fill: AugmentationFill.Reflect)[28 * 10 + 1], 1e-6f, "reflect: the image mirrored");
    }

    [TestMethod]
    public void TheSameSeed_DrawsTheSameImages_AndAnotherSeedOthers()
    {
        var images = FirstImages(16);
        var a = ImageAugmentation.Digits.Apply(images, Mnist, seed: 1);
        CollectionAssert.AreEqual(a, ImageAugmentation.Digits.Apply(images, Mnist, seed: 1));
        CollectionAssert.AreNotEqual(a, ImageAugmentation.Digits.Apply(images, Mnist, seed: 2));
        CollectionAssert.AreNotEqual(images, a);
        // Each image moves, but stays a digit: the ink is roughly conserved (zoom changes it by at most ~21%).
        for (int i = 0; i < 16; i++)
        {
            double before = images.AsSpan(i * 784, 784).ToArray().Sum(), after = a.AsSpan(i * 784, 784).ToArray().Sum();
            Assert.AreEqual(before, after, before * 0.3, $"image {i}");
        }
    }

    [TestMethod]
    public void TheSameSeed_TrainsTheSameWeights_WithAugmentationOn()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 512);
        ConvNetTrainer.Options Options(int seed) => new() { Architecture = "SimpleConvNet", Epochs = 2, Seed = seed, Augmentation = ImageAugmentation.Digits };
        using var first = ml.MulticlassClassification.Trainers.ConvNet(Options(4)).Fit(train);
        using var second = ml.MulticlassClassification.Trainers.ConvNet(Options(4)).Fit(train);
        using var other = ml.MulticlassClassification.Trainers.ConvNet(Options(5)).Fit(train);
        CollectionAssert.AreEqual(TestData.Weights(first), TestData.Weights(second));
        CollectionAssert.AreNotEqual(TestData.Weights(first), TestData.Weights(other));
    }

    [TestMethod]
    public void TrainingBatchesAreAugmented_ValidationAndScoringBatchesNever()
    {
        TestSetup.EnsureRegistered();
        var seen = new List<(bool Training, float[] Images)>();
        ArchitectureRegistry.Register(new SpyNet(seen), replace: true);
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 256);
        var test = TestData.Digits(ml, 100, seed: 2);
        var options = new ConvNetTrainer.Options
        {
            Architecture = SpyNet.ArchitectureName, Epochs = 1, Seed = 1, Shuffle = false, BatchSize = 128,
            ValidationSet = test, EarlyStopping = false, Augmentation = ImageAugmentation.Digits,
        };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(options).Fit(train);
        var trainImages = FirstImages(256);
        var testImages = GeneratedDigits.Generate(100, seed: 2).Images.Pixels.Select(p => p * MnistDataset.PixelScale).ToArray();

        // The network is built with one probe image per layer, to learn the shapes: not a batch of data.
        seen.RemoveAll(s => s.Images.Length == 784 && s.Images.All(v => v == 0));
        var training = seen.Where(s => s.Training).ToList();
        Assert.AreEqual(2, training.Count, "two training batches of 128");
        var firstBatch = training[0].Images;
        int changed = Enumerable.Range(0, 128).Count(i => !firstBatch.AsSpan(i * 784, 784).SequenceEqual(trainImages.AsSpan(i * 784, 784)));
        Assert.IsTrue(changed >= 120, $"Nearly every training image is transformed; {changed} of 128 were.");

        var validation = seen.Where(s => !s.Training).ToList();
        Assert.AreEqual(1, validation.Count, "one validation batch after the epoch");
        CollectionAssert.AreEqual(testImages, validation[0].Images, "Validation sees the images as they are.");

        seen.Clear();
        model.Transform(test).GetColumn<float[]>("Score").ToList();
        Assert.IsTrue(seen.Count > 0 && seen.All(s => !s.Training));
        CollectionAssert.AreEqual(testImages, seen.SelectMany(s => s.Images).ToArray(), "Scoring sees the images as they are.");
    }

    [TestMethod]
    public void TheModelRecordsItsAugmentation_InItsSettingsAndHistory_AndKeepsThemThroughSaveAndLoad()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 256);
        var augmentation = ImageAugmentation.Digits with { ShearDegrees = 5, Fill = AugmentationFill.Nearest };
        using var model = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 2, Seed = 2, Augmentation = augmentation }).Fit(train);
        Assert.AreEqual(augmentation, model.Model.Augmentation);
        Assert.IsTrue(model.History.All(h => h.Augmented));
        StringAssert.Contains(model.Model.TrainingSettings, "augmentation rotation ±10°, shift ±10% x ±10%, zoom ±10%, shear ±5°, fill nearest");
        StringAssert.Contains(model.Model.TrainingSettings, "LeNot on 1x28x28 images for 2 epochs");

        string path = Path.Combine(TestData.TempDirectory(), "augmented.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = (ConvNetTransformer)ml.Model.Load(path, out _);
        Assert.AreEqual(augmentation, loaded.Model.Augmentation);
        Assert.AreEqual(model.Model.TrainingSettings, loaded.Model.TrainingSettings);
        CollectionAssert.AreEqual(model.History.ToList(), loaded.History.ToList());

        using var plain = ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Architecture = "LeNot", Epochs = 1, Seed = 2 }).Fit(train);
        Assert.IsNull(plain.Model.Augmentation);
        Assert.IsFalse(plain.History.Single().Augmented);
        StringAssert.Contains(plain.Model.TrainingSettings, "augmentation none");
    }

    [TestMethod]
    public void ResumingAnAugmentedRun_GivesTheWeightsOfAnUninterruptedOne()
    {
        var ml = new MLContext(1);
        var train = TestData.Digits(ml, 300);
        string directory = TestData.TempDirectory();
        ConvNetTrainer.Options Options(int epochs, string checkpoints) => new()
        {
            Architecture = "LeNot", Epochs = epochs, Seed = 6, Augmentation = ImageAugmentation.Digits, CheckpointDirectory = checkpoints, ResumeFromCheckpoint = true,
        };
        using var whole = ml.MulticlassClassification.Trainers.ConvNet(Options(3, Path.Combine(directory, "a"))).Fit(train);
        ml.MulticlassClassification.Trainers.ConvNet(Options(2, Path.Combine(directory, "b"))).Fit(train).Dispose();
        using var resumed = ml.MulticlassClassification.Trainers.ConvNet(Options(3, Path.Combine(directory, "b"))).Fit(train);
        CollectionAssert.AreEqual(TestData.Weights(whole), TestData.Weights(resumed));
        Assert.IsTrue(resumed.History.All(h => h.Augmented), "the epochs read back from the checkpoint keep their flag");
        Directory.Delete(directory, recursive: true);
    }

    [TestMethod]
    [DataRow("RotationDegrees", -1.0, "ImageAugmentation.RotationDegrees must be in [0, 180]; got -1.")]
    [DataRow("WidthShift", 1.0, "ImageAugmentation.WidthShift must be in [0, 1); got 1.")]
    [DataRow("Zoom", double.NaN, "ImageAugmentation.Zoom must be in [0, 1); got NaN.")]
    [DataRow("ShearDegrees", 90.0, "ImageAugmentation.ShearDegrees must be in [0, 80]; got 90.")]
    public void OutOfRange_IsRefusedWhenTheTrainerIsCreated_WithTheBoundsAndTheValue(string property, double value, string message)
    {
        var augmentation = property switch
        {
            "RotationDegrees" => new ImageAugmentation { RotationDegrees = value },
            "WidthShift" => new ImageAugmentation { WidthShift = value },
            "Zoom" => new ImageAugmentation { Zoom = value },
            _ => new ImageAugmentation { ShearDegrees = value },
        };
        var ml = new MLContext(1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ConvNet(new ConvNetTrainer.Options { Augmentation = augmentation }));
        StringAssert.StartsWith(error.Message, message);
        Assert.AreEqual("Augmentation", error.ParamName);
    }

    [TestMethod]
    public void Apply_RefusesPartialImages()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ImageAugmentation.Digits.Apply(new float[800], Mnist, seed: 1));
        StringAssert.StartsWith(error.Message, "Expected whole images of 1x28x28 (784 values each); got 800 values.");
    }

    /// <summary>Flatten -> Dense, with a first layer that records every batch it is given and whether the network was training.</summary>
    private sealed class SpyNet(List<(bool Training, float[] Images)> seen) : ConvNetArchitecture
    {
        public const string ArchitectureName = "AugmentationSpyNet";

        public override string Name => ArchitectureName;

        public override ImageShape InputShape => new(1, 28, 28);

        public override int DefaultEpochs => 1;

        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) => [new Spy(seen), new Flatten(), new Dense(numberOfClasses) { Activation = Activation.Softmax }];
    }

    private sealed class Spy(List<(bool Training, float[] Images)> seen) : LayerSpec
    {
        public override string TypeName => "Spy";

        public override string NamePrefix => "spy";

        public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => new Recorder(seen);
    }

    private sealed class Recorder(List<(bool Training, float[] Images)> seen) : nn.Module<Tensor, Tensor>("recorder")
    {
        public override Tensor forward(Tensor input)
        {
            lock (seen)
                seen.Add((training, input.contiguous().data<float>().ToArray()));
            return input.alias();
        }
    }
}
