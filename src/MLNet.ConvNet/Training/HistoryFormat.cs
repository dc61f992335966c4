namespace MLNet.ConvNet.Training;

/// <summary>
/// The per-epoch history, as saved models (from format 0x00010002) and checkpoints store it:
/// <code>
/// int32 epochs, then per epoch:
///   int32 epoch, float64 loss, float64 accuracy, float64 learning rate, float64 seconds,
///   bool + float64 validation loss (value present only if the bool is true),
///   bool + float64 validation accuracy
///   bool    whether the epoch's training images were augmented
/// </code>
/// Models of format 0x00010001 lack the two validation entries; models before 0x00010004 and checkpoints of version 1 the augmented flag.
/// </summary>
internal static class HistoryFormat
{
    public static void Write(BinaryWriter writer, IReadOnlyList<EpochMetrics> history)
    {
        writer.Write(history.Count);
        foreach (var e in history)
        {
            writer.Write(e.Epoch);
            writer.Write(e.Loss);
            writer.Write(e.Accuracy);
            writer.Write(e.LearningRate);
            writer.Write(e.Seconds);
            WriteOptional(writer, e.ValidationLoss);
            WriteOptional(writer, e.ValidationAccuracy);
            writer.Write(e.Augmented);
        }
    }

    /// <exception cref="InvalidDataException">The count is impossible.</exception>
    /// <exception cref="EndOfStreamException">The stream ends early.</exception>
    public static List<EpochMetrics> Read(BinaryReader reader, bool withValidation, bool withAugmented)
    {
        int epochs = reader.ReadInt32();
        if (epochs < 0 || epochs > 1_000_000)
            throw new InvalidDataException($"The history records {epochs} epochs; the data is corrupt.");
        var history = new List<EpochMetrics>(epochs);
        for (int i = 0; i < epochs; i++)
        {
            var e = new EpochMetrics(reader.ReadInt32(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
            if (withValidation)
                e = e with { ValidationLoss = ReadOptional(reader), ValidationAccuracy = ReadOptional(reader) };
            if (withAugmented)
                e = e with { Augmented = reader.ReadBoolean() };
            history.Add(e);
        }
        return history;
    }

    private static void WriteOptional(BinaryWriter writer, double? value)
    {
        writer.Write(value.HasValue);
        if (value.HasValue)
            writer.Write(value.Value);
    }

    private static double? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadDouble() : null;
}
