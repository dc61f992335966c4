namespace MLNet.ConvNet.Training;

/// <summary><see cref="BatchMixing"/> on the training loop's seam: mixes each batch as it starts.</summary>
internal sealed class MixingCallback(BatchMixing mixing) : TrainingCallback
{
    public override void OnBatchStarted(TrainingBatch batch)
    {
        if (mixing.Mix(batch.Images, batch.Labels, batch.Classes, batch.Random) is { } mixed)
        {
            batch.Images = mixed.Images;
            batch.Targets = mixed.Targets;
        }
    }
}
