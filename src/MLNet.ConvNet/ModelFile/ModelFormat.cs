using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet.ModelFile;

/// <summary>
/// The bytes a <see cref="ConvNetTransformer"/> keeps inside an ML.NET model .zip. ML.NET's model header
/// (signature CONVNETT, loader ConvNetTransformer, the versions below) comes first; the transformer's own Save and
/// Create (Model/ConvNetTransformer.cs) then write and read these fields in this order:
/// <code>
/// Model.key stream (ML.NET's BinaryWriter; strings are .NET length-prefixed UTF-8):
///   string  architecture name, as registered
///   int32   input channels, height, width (checked against the registered architecture on load)
///   int32   number of the network's outputs: one per class (multiclass), 1 (binary, regression)
///   string  feature, label, score and predicted-label column names
///           history (see <see cref="HistoryFormat"/>; 0x00010001 lacks the validation entries, before 0x00010004 the augmented flags)
///   int32   the epoch whose weights are saved (from format 0x00010002; 0x00010001: the last epoch)
///   bool + float32 min, float32 max: the range of the training features (from format 0x00010003; older: unknown)
///   bool    whether the training images were augmented; if so (see <see cref="ImageAugmentation"/>):
///           float64 rotation degrees, width shift, height shift, zoom, shear degrees; bool horizontal flip; int32 fill
///   string  the training settings in one line                 (both from format 0x00010004; older: unknown)
///   string  the architecture as JSON (<see cref="ArchitectureFormat"/>) for a <see cref="GraphArchitecture"/> of built-in
///           layers, which then loads without registering; "" for one found by name in the registry (from 0x00010005)
///   int32   what scoring averages over (<see cref="TestTimeAugmentation"/>: 0 none, 1 horizontal flip) (from 0x00010006)
///   string  the task (<see cref="ConvNetTask.Name"/>), then what it learned: nothing for MulticlassClassification;
///           bool calibrated, float64 slope, float64 offset for BinaryClassification; int32 loss, float64 label mean,
///           float64 label scale for Regression; for MultiLabelClassification int32 tags, each tag's name (string) and
///           threshold (float32), float32 starting threshold, bool tune, bool tuned, bool soft labels (from 0x00010007;
///           older: MulticlassClassification)
///   bool + ML.NET BinarySaver type-and-value block: the training label's key values, if it has them (Internals/KeyValuesFormat.cs;
///           false for a binary, regression or tags label, whose type the task gives)
/// "Weights" stream (its own .zip entry): see <see cref="WeightsFormat"/>.
/// </code>
/// </summary>
internal static class ModelFormat
{
    public const string WeightsStreamName = "Weights";

    /// <summary>The format written now.</summary>
    public const uint CurrentVersion = WithTask;

    /// <summary>The format that added the task (binary, regression) and what it learned.</summary>
    private const uint WithTask = 0x00010007;

    /// <summary>The format that added test-time augmentation.</summary>
    private const uint WithTestTimeAugmentation = 0x00010006;

    /// <summary>The format that added the architecture's description, for graph architectures (imported, pretrained).</summary>
    private const uint WithArchitectureDescription = 0x00010005;

    /// <summary>The format that added the augmentation, the settings line and the history's augmented flags.</summary>
    private const uint WithAugmentation = 0x00010004;

    /// <summary>The format that added the training features' range.</summary>
    private const uint WithFeatureRange = 0x00010003;

    /// <summary>The format that added the validation metrics and the final epoch.</summary>
    private const uint WithFinalEpoch = 0x00010002;

    /// <summary>The oldest format this code reads.</summary>
    public const uint OldestReadableVersion = 0x00010001;

    /// <summary>Everything in the Model.key stream except the label's key values.</summary>
    /// <remarks>ArchitectureDescription: the architecture as JSON, or null when the registry has it by name.</remarks>
    public sealed record Header(string ArchitectureName, ImageShape InputShape, int NumberOfClasses, ColumnNames Columns, TrainingRecord Training, string? ArchitectureDescription, ConvNetTask Task);

    /// <summary>The description a model of <paramref name="architecture"/> saves: its JSON for a graph of built-in layers, else null.</summary>
    public static string? DescriptionOf(ConvNetArchitecture architecture)
        => architecture is GraphArchitecture graph && ArchitectureFormat.CanDescribe(graph) ? ArchitectureFormat.Write(graph) : null;

    public static void WriteHeader(BinaryWriter writer, Header header)
    {
        writer.Write(header.ArchitectureName);
        writer.Write(header.InputShape.Channels);
        writer.Write(header.InputShape.Height);
        writer.Write(header.InputShape.Width);
        writer.Write(header.NumberOfClasses);
        writer.Write(header.Columns.Features);
        writer.Write(header.Columns.Label);
        writer.Write(header.Columns.Score);
        writer.Write(header.Columns.PredictedLabel);
        var training = header.Training;
        HistoryFormat.Write(writer, training.History);
        writer.Write(training.FinalEpoch);
        writer.Write(training.FeatureRange.HasValue);
        writer.Write(training.FeatureRange?.Min ?? 0f);
        writer.Write(training.FeatureRange?.Max ?? 0f);
        WriteAugmentation(writer, training.Augmentation);
        writer.Write(training.Settings ?? "");
        writer.Write(header.ArchitectureDescription ?? "");
        writer.Write((int)training.TestTimeAugmentation);
        writer.Write(header.Task.Name);
        header.Task.Write(writer);
    }

    private static void WriteAugmentation(BinaryWriter writer, ImageAugmentation? augmentation)
    {
        writer.Write(augmentation is not null);
        if (augmentation is null)
            return;
        writer.Write(augmentation.RotationDegrees);
        writer.Write(augmentation.WidthShift);
        writer.Write(augmentation.HeightShift);
        writer.Write(augmentation.Zoom);
        writer.Write(augmentation.ShearDegrees);
        writer.Write(augmentation.HorizontalFlip);
        writer.Write((int)augmentation.Fill);
    }

    /// <exception cref="InvalidDataException">A range is impossible.</exception>
    private static ImageAugmentation? ReadAugmentation(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
            return null;
        var augmentation = new ImageAugmentation
        {
            RotationDegrees = reader.ReadDouble(),
            WidthShift = reader.ReadDouble(),
            HeightShift = reader.ReadDouble(),
            Zoom = reader.ReadDouble(),
            ShearDegrees = reader.ReadDouble(),
            HorizontalFlip = reader.ReadBoolean(),
            Fill = (AugmentationFill)reader.ReadInt32(),
        };
        if (augmentation.Problem() is { } problem)
            throw new InvalidDataException($"The model records an impossible augmentation ({problem.Message}); the file is corrupt.");
        return augmentation;
    }

    /// <exception cref="InvalidDataException">The stream is truncated or holds impossible values.</exception>
    public static Header ReadHeader(BinaryReader reader, uint version)
    {
        try
        {
            string architecture = reader.ReadString();
            var shape = new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            int classes = reader.ReadInt32();
            if (shape.Channels <= 0 || shape.Height <= 0 || shape.Width <= 0 || classes < 1)
                throw new InvalidDataException($"The model records input shape {shape} and {classes} classes; the file is corrupt.");
            var columns = new ColumnNames(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString());
            var history = HistoryFormat.Read(reader, withValidation: version >= WithFinalEpoch, withAugmented: version >= WithAugmentation);
            int finalEpoch = version >= WithFinalEpoch ? reader.ReadInt32() : history.Count == 0 ? 0 : history[^1].Epoch;
            FeatureRange? range = null;
            if (version >= WithFeatureRange)
            {
                bool known = reader.ReadBoolean();
                var read = new FeatureRange(reader.ReadSingle(), reader.ReadSingle());
                range = known ? read : null;
            }
            ImageAugmentation? augmentation = null;
            string? settings = null;
            if (version >= WithAugmentation)
            {
                augmentation = ReadAugmentation(reader);
                settings = reader.ReadString();
                if (settings.Length == 0)
                    settings = null;
            }
            string? description = version >= WithArchitectureDescription ? reader.ReadString() : null;
            var testTime = version >= WithTestTimeAugmentation ? (TestTimeAugmentation)reader.ReadInt32() : TestTimeAugmentation.None;
            if (!Enum.IsDefined(testTime))
                throw new InvalidDataException($"The model records test-time augmentation {(int)testTime}, which this MLNet.ConvNet does not know (0 or 1); the file is corrupt or from a newer version.");
            var task = version >= WithTask ? ConvNetTask.Read(reader.ReadString(), reader) : MulticlassClassificationTask.Instance;
            if (classes < task.FewestOutputs)
                throw new InvalidDataException($"The model records {classes} outputs for a {task.Name} network, which has at least {task.FewestOutputs}; the file is corrupt.");
            if (task is MultiLabelClassificationTask tagger && tagger.TagNames.Count != classes)
                throw new InvalidDataException($"The model records {classes} outputs and {tagger.TagNames.Count} tags; a tagger has one output per tag. The file is corrupt.");
            return new Header(architecture, shape, classes, columns, new TrainingRecord(history, finalEpoch, range, augmentation, settings, TestTimeAugmentation: testTime),
                string.IsNullOrEmpty(description) ? null : description, task);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The ConvNet model stream ends early; the .zip is truncated or corrupt.", e);
        }
    }

    /// <summary>
    /// The saved architecture: from its description when the model holds one, else from the registry; the network is
    /// rebuilt for the saved input shape.
    /// </summary>
    /// <exception cref="InvalidOperationException">The architecture is not registered in this process.</exception>
    /// <exception cref="InvalidDataException">The description cannot be read.</exception>
    public static ConvNetArchitecture ResolveArchitecture(Header header)
    {
        if (header.ArchitectureDescription is { } description)
        {
            var described = ArchitectureFormat.Read(description);
            if (described.Name != header.ArchitectureName)
                throw new InvalidDataException($"The model names its architecture '{header.ArchitectureName}' but describes '{described.Name}'; the file is corrupt.");
            return described;
        }
        if (!ArchitectureRegistry.TryGet(header.ArchitectureName, out var architecture))
        {
            throw new InvalidOperationException(
                $"The model was trained with architecture '{header.ArchitectureName}', which is not registered in this process. " +
                $"Registered: {string.Join(", ", ArchitectureRegistry.Names)}. Call ArchitectureRegistry.Register with it before loading the model.");
        }
        return architecture;
    }
}
