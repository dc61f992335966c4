using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Internals;
using MLNet.ConvNet.Native;
using MLNet.ConvNet.Training;
using TorchSharp;

namespace MLNet.ConvNet;

/// <summary>
/// Trains a convolutional network from scratch on TorchSharp inside an ML.NET pipeline: the
/// <see cref="IEstimator{TTransformer}"/> behind <c>mlContext.MulticlassClassification.Trainers.ConvNet</c>.
/// </summary>
/// <remarks>
/// Input: a key-typed label column and a known-size vector of Single holding each image channel-major
/// (channels x height x width values, pixels scaled to [0, 1]). Output: a <see cref="ConvNetTransformer"/>
/// that adds Score and PredictedLabel. Progress, the model summary and per-epoch loss and accuracy go to
/// the MLContext's log and progress channels; nothing is written to the console.
/// </remarks>
public sealed partial class ConvNetTrainer : IEstimator<ConvNetTransformer>
{
    private readonly IHost _host;
    private readonly Options _options;
    private readonly ConvNetArchitecture _architecture;

    internal ConvNetTrainer(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(ConvNetTrainer));
        _architecture = ArchitectureRegistry.Get(options.Architecture);
        Validate(options);
        _options = options;
    }

    /// <summary>The architecture this trainer builds.</summary>
    public ConvNetArchitecture Architecture => _architecture;

    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (ML.NET's schema-mismatch wording).</exception>
    /// <exception cref="InvalidOperationException">The data has no usable rows, or holds values that cannot be trained on.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled through the options or the MLContext.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public ConvNetTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        SchemaChecks.CheckFeatureColumn(input.Schema, _options.FeatureColumnName, _architecture.InputShape, "train on");
        int classes = SchemaChecks.CheckLabelColumn(input.Schema, _options.LabelColumnName);
        TorchRuntime.EnsureLoaded();

        int seed = _options.Seed ?? EnvironmentAccess.SeedOf(_host) ?? Random.Shared.Next();
        int epochs = _options.Epochs ?? _architecture.DefaultEpochs;
        int threads = _options.NumberOfThreads ?? Environment.ProcessorCount;
        void CheckCancelled()
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            EnvironmentAccess.ThrowIfCancelled(_host);
        }

        using var channel = _host.Start("Training");
        var clock = Stopwatch.StartNew();
        var data = TrainingData.Read(input, _options.FeatureColumnName, _options.LabelColumnName, _architecture.InputShape.Size, classes, CheckCancelled);
        if (data.SkippedMissingLabels > 0)
            ChannelLog.Warning(channel, $"Skipped {data.SkippedMissingLabels:N0} rows whose label '{_options.LabelColumnName}' is missing.");
        if (data.Count == 0)
            throw new InvalidOperationException($"The training data has no rows with a label in column '{_options.LabelColumnName}'; a ConvNet needs at least one labelled image.");
        ChannelLog.Info(channel, $"Read {data.Count:N0} training images of {_architecture.InputShape} in {clock.Elapsed.TotalSeconds:F1} s.");

        torch.set_num_threads(threads);
        var model = ModelFactory.Create(_architecture, classes, seed);
        try
        {
            ChannelLog.Info(channel, model.Summary());
            ChannelLog.Info(channel, $"Training {_architecture.Name} for {epochs} epochs, batch {_options.BatchSize}, RMSprop(lr={_options.LearningRate}, rho={_options.Rho}, epsilon={_options.Epsilon}), seed {seed}, {threads} threads.");
            var settings = new TrainingSettings(epochs, _options.BatchSize, _options.LearningRate, _options.Rho, _options.Epsilon, seed, _options.Shuffle, _options.EpochEnded);
            using var progress = _host.StartProgressChannel("ConvNet training");
            var history = new TrainingLoop(model, data, settings).Run(channel, progress, CheckCancelled);

            var label = input.Schema[_options.LabelColumnName];
            var labelColumn = new DataViewSchema.DetachedColumn(label.Name, label.Type, label.Annotations);
            var columns = new ColumnNames(_options.FeatureColumnName, _options.LabelColumnName, _options.ScoreColumnName, _options.PredictedLabelColumnName);
            return new ConvNetTransformer(_host, model, columns, labelColumn, history);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Returns the schema shape the fitted transformer will produce, checking the input columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.CheckShape(inputSchema, _options.FeatureColumnName, _options.LabelColumnName, _architecture.InputShape);
        var label = SchemaChecks.Find(inputSchema, _options.LabelColumnName);
        return EnvironmentAccess.AddScoreColumns(inputSchema, label, _options.ScoreColumnName, _options.PredictedLabelColumnName);
    }

    private static void Validate(Options options)
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be {expected}; got {value}.");
        }
        Check(options.Epochs is null or > 0, nameof(Options.Epochs), options.Epochs, "at least 1 (or null for the architecture's default)");
        Check(options.BatchSize > 0, nameof(Options.BatchSize), options.BatchSize, "at least 1");
        Check(options.LearningRate > 0 && double.IsFinite(options.LearningRate), nameof(Options.LearningRate), options.LearningRate, "a positive finite number");
        Check(options.Rho is >= 0 and < 1, nameof(Options.Rho), options.Rho, "in [0, 1)");
        Check(options.Epsilon > 0 && double.IsFinite(options.Epsilon), nameof(Options.Epsilon), options.Epsilon, "a positive finite number");
        Check(options.NumberOfThreads is null or > 0, nameof(Options.NumberOfThreads), options.NumberOfThreads, "at least 1 (or null for one per core)");
        foreach (var (name, value) in new[] { (nameof(Options.LabelColumnName), options.LabelColumnName), (nameof(Options.FeatureColumnName), options.FeatureColumnName), (nameof(Options.ScoreColumnName), options.ScoreColumnName), (nameof(Options.PredictedLabelColumnName), options.PredictedLabelColumnName) })
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must name a column; got '{value}'.", name);
        }
    }
}
