namespace MLNet.ConvNet.Training;

/// <summary>
/// Where an epoch's batches come from: the rows copied into memory (<see cref="TrainingData"/>), or the data view read
/// again every epoch through a shuffle buffer (StreamingRows) when the rows would not fit the memory
/// budget. Either way the same seed and epoch give the same batches.
/// </summary>
internal interface ITrainingRows
{
    /// <summary>Rows in one epoch.</summary>
    int Count { get; }

    /// <summary>The smallest and largest feature value read so far (all of them in memory; a stream's after its first epoch).</summary>
    FeatureRange? FeatureRange { get; }

    /// <summary>Rows left out because their label was missing (key 0, or NaN).</summary>
    long SkippedMissingLabels { get; }

    /// <summary>The count, mean and variance of the label values, every tag's for a tagger (a regression's label scale comes from them).</summary>
    Tasks.LabelMoments Moments { get; }

    /// <summary>Whether the rows carry example weights.</summary>
    bool HasWeights { get; }

    /// <summary>
    /// Writes the batches of <paramref name="epoch"/>, one after another, into the front of the buffers (features image
    /// after image, labels as the task reads them (0-based class indices, 0 or 1, numbers, or one value per tag: TrainingColumns.LabelWidth floats per row), example weights when there are some) and yields each one's size.
    /// </summary>
    IEnumerable<int> Batches(int epoch, int batchSize, int seed, bool shuffle, float[] features, float[] labels, float[]? weights);
}
