namespace MLNet.ConvNet.Training;

/// <summary>
/// The seeds of a run's random streams for one epoch, each apart from the others and all from (seed, epoch), so that a
/// run draws the same again, a resumed run continues exactly, and turning one feature on leaves the others' draws as
/// they were: the row order (<see cref="TrainingData.EpochSeed"/>), the geometric augmentation, the dropout masks and
/// the callbacks' stream (crops, colours, mixing).
/// </summary>
internal static class EpochStreams
{
    /// <summary>The geometric augmentation's: apart from the shuffle's, so turning augmentation on leaves the order of the rows as it was.</summary>
    public static int Augmentation(int seed, int epoch) => TrainingData.EpochSeed(seed, epoch) ^ 0x41756775;

    /// <summary>The dropout generator's.</summary>
    public static int Dropout(int seed, int epoch) => TrainingData.EpochSeed(seed, epoch) ^ 0x44726F70;

    /// <summary>The callbacks' stream (<see cref="TrainingBatch.Random"/>).</summary>
    public static int Callbacks(int seed, int epoch) => TrainingData.EpochSeed(seed, epoch) ^ 0x43616C6C;
}
