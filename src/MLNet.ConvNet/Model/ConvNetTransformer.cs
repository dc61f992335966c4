using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.ConvNet;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Common.Internals;
using MLNet.ConvNet.ModelFile;
using MLNet.ConvNet.ModelFile.Internals;
using MLNet.ConvNet.Scoring;
using MLNet.ConvNet.Scoring.Internals;
using MLNet.ConvNet.Training;

// mlContext.Model.Load finds the loader through this attribute when it meets the LoaderSignature in a model file.
[assembly: LoadableClass(typeof(ConvNetTransformer), typeof(ConvNetTransformer), null, typeof(SignatureLoadModel),
    "ConvNet Transformer", ConvNetTransformer.LoaderSignature)]

namespace MLNet.ConvNet;

/// <summary>
/// A trained convnet in an ML.NET pipeline. <see cref="Transform"/> adds <c>Score</c> (one probability per
/// class, with the slot names and score annotations ML.NET's multiclass scorers add) and
/// <c>PredictedLabel</c> (a key with the training label's values), so <c>Evaluate</c>,
/// <c>MapKeyToValue</c> and <c>PredictionEngine</c> work as with any ML.NET multiclass trainer.
/// <c>mlContext.Model.Save</c> stores the weights inside the .zip and <c>mlContext.Model.Load</c>
/// returns this type again.
/// </summary>
/// <remarks>
/// It is an ML.NET prediction transformer over one features column
/// (<see cref="ISingleFeaturePredictionTransformer{TModel}"/> of <see cref="ConvNetModelParameters"/>), so
/// permutation feature importance and other tools that look for one find it.
/// Thread-safety: <see cref="Transform"/> and the data views it returns may be used from several threads
/// at once; a <c>PredictionEngine</c> is single-threaded, as in ML.NET, so create one per thread.
/// </remarks>
public sealed class ConvNetTransformer : ISingleFeaturePredictionTransformer<ConvNetModelParameters>, ISingleFeaturePredictionTransformer, IDisposable
{
    internal const string LoaderSignature = "ConvNetTransformer";

    // The model file: ML.NET's header with these versions, then the fields of ModelFile/ModelFormat.cs and a Weights entry.
    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "CONVNETT",
        verWrittenCur: ModelFormat.CurrentVersion, // 0x00010001 initial; 0x00010002 validation history and final epoch; 0x00010003 feature range; 0x00010004 augmentation and settings; 0x00010005 graph architectures' descriptions; 0x00010006 test-time augmentation; 0x00010007 the task.
        verReadableCur: ModelFormat.CurrentVersion,
        verWeCanReadBack: ModelFormat.OldestReadableVersion,
        loaderAssemblyName: typeof(ConvNetTransformer).Assembly.FullName,
        loaderSignature: LoaderSignature);

    /// <summary>The one way into the model file: <c>mlContext.Model.Save</c> calls it, and so does ML.NET's row-mapper plumbing.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ModelFormat.WriteHeader(ctx.Writer, new ModelFormat.Header(ArchitectureName, Model.InputShape, NumberOfClasses, Columns, Model.Training, ModelFormat.DescriptionOf(Model.Architecture), Task));
        KeyValuesFormat.Write(ctx.Writer, LabelColumn);
        ctx.SaveBinaryStream(ModelFormat.WeightsStreamName, writer => WeightsFormat.Write(writer, Network.SnapshotWeights()));
    }

    // Found by ML.NET's ComponentCatalog through the LoadableClass attribute above. The architecture comes from the
    // registry, and every tensor's name, shape and the checksum are checked before a single weight is copied.
    private static ConvNetTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ctx.CheckAtModel(GetVersionInfo());
        if (MLNetVersion.Warning() is { } notChecked)
        {
            using var channel = env.Start("Loading a ConvNet");
            ChannelLog.Warning(channel, notChecked);
        }
        var header = ModelFormat.ReadHeader(ctx.Reader, ctx.Header.ModelVerWritten);
        var labelColumn = header.Task.PlainLabelType is { } plain
            ? KeyValuesFormat.ReadPlain(ctx.Reader, header.Columns.Label, plain)
            : KeyValuesFormat.Read(env, ctx.Reader, header.Columns.Label, header.NumberOfClasses);
        var architecture = ModelFormat.ResolveArchitecture(header);
        var network = ConvNetModule.Create(architecture, header.InputShape, header.NumberOfClasses, seed: 0);
        try
        {
            if (!ctx.TryLoadBinaryStream(ModelFormat.WeightsStreamName, reader => network.LoadWeights(WeightsFormat.ReadFor(reader, network))))
                throw new InvalidDataException($"The model has no '{ModelFormat.WeightsStreamName}' entry; the .zip is incomplete.");
            network.eval();
            return new ConvNetTransformer(env, network, header.Task, header.Columns, labelColumn, header.Training);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private readonly RowScoringTransformer _rowScoring;
    private readonly IHost _host;

    internal ConvNetTransformer(IHostEnvironment env, ConvNetModule network, ConvNetTask task, ColumnNames columns, DataViewSchema.DetachedColumn labelColumn, TrainingRecord training)
    {
        Model = new ConvNetModelParameters(network, training, task);
        _host = env.Register(nameof(ConvNetTransformer));
        Columns = columns;
        LabelColumn = labelColumn;
        Scoring = new ScoringModel(new BatchScorer(network, task, training.TestTimeAugmentation), columns, labelColumn, ShapeAdvice(network.InputShape));
        _rowScoring = new RowScoringTransformer(env, Scoring, ((ICanSaveModel)this).Save);
    }

    /// <summary>The architecture the network was built from.</summary>
    public ConvNetArchitecture Architecture => Network.Architecture;

    /// <summary>The architecture's registry name, as saved with the model.</summary>
    public string ArchitectureName => Network.Architecture.Name;

    /// <summary>The number of classes the network scores (multiclass), or of tags (a tagger); 1 for a binary model or a regression, whose network has one output (<see cref="ConvNetModelParameters.NumberOfClasses"/>).</summary>
    public int NumberOfClasses => Network.NumberOfClasses;

    /// <summary>What the model learned: <see cref="MulticlassClassificationTask"/>, <see cref="BinaryClassificationTask"/> (with its calibration), <see cref="RegressionTask"/> (with its label scale) or <see cref="MultiLabelClassificationTask"/> (with its tags and thresholds). Survives Save and Load.</summary>
    public ConvNetTask Task => Model.Task;

    /// <summary>
    /// The class of each Score slot, in slot order: the training label's key values as text (such as "0".."9" for
    /// MNIST, or the class folders' names), or "0", "1", ... when the label had no key values. Survives Save and Load.
    /// A tagger's are its tags (<see cref="MultiLabelClassificationTask.TagNames"/>). Empty for a binary model or a
    /// regression, whose Score is one value.
    /// </summary>
    public IReadOnlyList<string> ClassNames => _classNames ??= ReadClassNames();

    private IReadOnlyList<string>? _classNames;

    private IReadOnlyList<string> ReadClassNames()
    {
        if (Task is MultiLabelClassificationTask tagger)
            return tagger.TagNames;
        if (Task is not MulticlassClassificationTask)
            return [];
        var annotations = LabelColumn.Annotations;
        if (annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            annotations.GetValue("KeyValues", ref values);
            return values.DenseValues().Select(v => v.ToString()).ToArray();
        }
        if (annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType } keyValues)
            return KeyValuesAsText(annotations, keyValues.Type);
        return Enumerable.Range(0, NumberOfClasses).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    // Numeric key values (MapValueToKey over a number column), in the invariant culture.
    private static string[] KeyValuesAsText(DataViewSchema.Annotations annotations, DataViewType type)
    {
        var method = typeof(ConvNetTransformer).GetMethod(nameof(Values), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(((VectorDataViewType)type).ItemType.RawType);
        return (string[])method.Invoke(null, [annotations])!;
    }

    private static string[] Values<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue("KeyValues", ref values);
        return values.DenseValues().Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    /// <summary>The Keras-style summary: every layer's output shape and parameter count, then the totals.</summary>
    public string Summary => Network.Summary();

    /// <summary>Loss, accuracy, learning rate and seconds of every training epoch, in order. Survives Save and Load.</summary>
    public IReadOnlyList<EpochMetrics> History => Model.History;

    /// <summary>
    /// The epoch whose weights the network holds: the last one trained, or the best one when early stopping
    /// restored its weights. Survives Save and Load.
    /// </summary>
    public int FinalEpoch => Model.FinalEpoch;

    /// <summary>The fitted network: architecture, classes, summary, history and its weights.</summary>
    public ConvNetModelParameters Model { get; }

    /// <summary>The type of the features column: a known-size vector of Single, channels x height x width long.</summary>
    public DataViewType FeatureColumnType => new VectorDataViewType(NumberDataViewType.Single, Network.InputShape.Size);

    /// <summary>The features column the network reads.</summary>
    public string FeatureColumnName => Columns.Features;

    /// <summary>The output column with one probability per class.</summary>
    public string ScoreColumnName => Columns.Score;

    /// <summary>The output column with the predicted class.</summary>
    public string PredictedLabelColumnName => Columns.PredictedLabel;

    /// <summary>Always true: every output row depends only on its input row.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The TorchSharp network.</summary>
    internal ConvNetModule Network => Model.Network;

    /// <summary>What the scoring paths (batched Transform, row-by-row PredictionEngine, ONNX export) need of this model.</summary>
    internal ScoringModel Scoring { get; }

    internal ColumnNames Columns { get; }

    /// <summary>The training label column, detached, with its key values.</summary>
    internal DataViewSchema.DetachedColumn LabelColumn { get; }

    /// <summary>Returns the schema <see cref="Transform"/> produces from <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The features column is missing or has the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _rowScoring.GetOutputSchema(inputSchema);

    /// <summary>
    /// Scores <paramref name="input"/> lazily: the network runs as rows are read, on batches of rows gathered
    /// behind the cursor.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The features column is missing or has the wrong type.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int features = SchemaChecks.CheckFeatureColumn(input.Schema, FeatureColumnName, Network.InputShape, "score with", Scoring.ShapeAdvice);
        var scored = new BatchScoringDataView(input, GetOutputSchema(input.Schema), Scoring.Scorer, features, Scoring.OutputColumns(input.Schema).Select(c => c.Name).ToArray(), ScaleCheck());
        return new OnnxExportableScoring(input, scored, Scoring);
    }

    /// <summary>
    /// Looks at the first batch of each Transform: features on another scale than the training features (raw bytes
    /// against pixels in [0, 1], or the other way round) get one warning in the MLContext's log. Null when the model
    /// does not know its training range.
    /// </summary>
    private Action<FeatureRange>? ScaleCheck()
    {
        if (Model.TrainingFeatureRange is not { } trained)
            return null;
        return batch =>
        {
            if (batch.LooksUnscaled == trained.LooksUnscaled || batch.Max == 0)
                return;
            using var channel = _host.Start("Scoring");
            ChannelLog.Warning(channel,
                $"The features to score range from {batch}, but this model was trained on features from {trained}: " +
                $"{(trained.LooksUnscaled ? "it learned raw pixel values, and these look scaled to [0, 1]" : "it learned pixels scaled to [0, 1], and these look like raw bytes")}. " +
                "Scale them as the training data was, or the predictions will be poor.");
        };
    }

    /// <summary>What to do when data to score has features of another shape.</summary>
    private static string ShapeAdvice(ImageShape shape) => $"This model was trained on {shape} images: give it features of that shape " +
        $"(mlContext.Transforms.ConvNetImageFeatures(new ImageShape({shape.Channels}, {shape.Height}, {shape.Width})) resizes image files to it), or train a model on the images you have.";

    /// <summary>Returns a row-to-row mapper, as <c>PredictionEngine</c> uses.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)_rowScoring).GetRowToRowMapper(inputSchema);

    /// <summary>Releases the network's native tensors.</summary>
    public void Dispose() => Network.Dispose();
}
