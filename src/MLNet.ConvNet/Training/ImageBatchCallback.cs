using static TorchSharp.torch;

namespace MLNet.ConvNet.Training;

/// <summary>An augmentation of a batch's images alone (<see cref="RandomResizedCrop"/>, <see cref="ColorJitter"/>) on the loop's seam, drawing from the batch's stream.</summary>
internal sealed class ImageBatchCallback(Func<Tensor, Random, Tensor> apply) : TrainingCallback
{
    public override void OnBatchStarted(TrainingBatch batch) => batch.Images = apply(batch.Images, batch.Random);
}
