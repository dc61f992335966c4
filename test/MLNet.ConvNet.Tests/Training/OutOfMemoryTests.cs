using Microsoft.ML;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>
/// libtorch failing to allocate in a batch ends in one InsufficientMemoryException, not a crash. The failure
/// is real: a test layer asks libtorch for terabytes once the batch has more than one image, which malloc
/// refuses at once without touching memory.
/// </summary>
[TestClass]
public sealed class OutOfMemoryTests
{
    [TestMethod]
    public void AllocationFailureInABatch_IsOneClearException_AndTheProcessGoesOn()
    {
        ArchitectureRegistry.Register(new Hungry(), replace: true);
        var ml = new MLContext(1);
        var options = new ConvNetTrainer.Options { Architecture = "Hungry", Epochs = 1, BatchSize = 4 };
        var error = Assert.ThrowsExactly<InsufficientMemoryException>(() => ml.MulticlassClassification.Trainers.ConvNet(options).Fit(TestData.Digits(ml, 16)));
        StringAssert.Contains(error.Message, "libtorch ran out of memory in epoch 1, batch 1 of 4 (batch size 4, Hungry)");
        StringAssert.Contains(error.Message, "Lower BatchSize");
        Assert.IsFalse(error.Message.Contains('\n'), "libtorch's backtrace stays in the inner exception: " + error.Message);

        // The process and libtorch are fine afterwards.
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(TestData.Digits(ml, 64));
        Assert.AreEqual(1, model.History.Count);
    }

    private sealed class Hungry : ConvNetArchitecture
    {
        public override string Name => "Hungry";
        public override ImageShape InputShape => new(1, 28, 28);
        public override int DefaultEpochs => 1;
        public override IReadOnlyList<LayerSpec> CreateLayers(int numberOfClasses) =>
            [new Greedy(), new Flatten(), new Dense(numberOfClasses) { Activation = Activation.Softmax }];
    }

    private sealed class Greedy : LayerSpec
    {
        public override string TypeName => "Greedy";
        public override string NamePrefix => "greedy";
        public override nn.Module<Tensor, Tensor> Build(long[] inputShape) => new GreedyModule();
    }

    private sealed class GreedyModule : nn.Module<Tensor, Tensor>
    {
        public GreedyModule() : base("greedy") { }

        public override Tensor forward(Tensor input)
        {
            if (input.shape[0] > 1)
                torch.empty(input.shape[0] << 40).Dispose(); // 4 x 2^40 floats: 16 TiB
            return input.alias();
        }
    }
}
