using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Common.Internals;
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
public sealed partial class ConvNetTrainer : ITrainerEstimator<ConvNetTransformer, ConvNetModelParameters>
{
    private readonly IHost _host;
    private readonly TrainingSettings _settings;

    /// <exception cref="ArgumentException">An option is out of range or the architecture is not registered.</exception>
    internal ConvNetTrainer(IHostEnvironment env, Options options, ConvNetTask? task = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(ConvNetTrainer));
        _settings = options.Resolve(EnvironmentAccess.SeedOf(env), task);
    }

    /// <summary>What this trainer's network learns: its catalog's task.</summary>
    public ConvNetTask Task => _settings.Task;

    /// <summary>
    /// What ML.NET's tools read about a trainer: no feature normalization needed (pixels come scaled to [0, 1]), no
    /// calibration (the scores are softmax probabilities), no caching needed (the rows are read once into memory), and
    /// validation data supported.
    /// </summary>
    public TrainerInfo Info { get; } = Internals.TrainerInfoAccess.Create(normalization: false, calibration: false, caching: false, supportValidation: true);

    /// <summary>The architecture this trainer builds.</summary>
    public ConvNetArchitecture Architecture => _settings.Architecture;

    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (ML.NET's schema-mismatch wording).</exception>
    /// <exception cref="ArgumentException">The device asked for is not available.</exception>
    /// <exception cref="InvalidOperationException">The data has no usable rows, or holds values that cannot be trained on.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled through the options or the MLContext.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public ConvNetTransformer Fit(IDataView input) => Fit(input, modelParameters: null);

    /// <summary>
    /// Continues training a fitted network on <paramref name="input"/>, as ML.NET's trainers take a warm start: the
    /// network starts from <paramref name="modelParameters"/>' weights and trains this trainer's <c>Epochs</c> more,
    /// numbered on from the fitted run's last epoch. When the fitted model was trained in this process with the same
    /// optimizer and settings, the optimizer's state carries on too, so 2 epochs and 2 more give the weights of 4
    /// straight (dropout included: its masks are seeded by seed and epoch); a model read from a file starts a fresh optimizer state, and the log
    /// says which. The architecture, the input shape and the classes must be the fitted model's. The returned
    /// transformer's History holds the fitted run's epochs and then this run's.
    /// </summary>
    /// <param name="input">The data to train on.</param>
    /// <param name="modelParameters">A fitted model's parameters (<c>transformer.Model</c>), or null to start afresh.</param>
    /// <inheritdoc cref="Fit(IDataView)" path="/exception"/>
    /// <exception cref="ArgumentException">The fitted model has another architecture, input shape or number of classes.</exception>
    public ConvNetTransformer Fit(IDataView input, ConvNetModelParameters? modelParameters)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Train(input, modelParameters, _settings);
    }

    /// <summary>
    /// Searches for a learning rate as fastai's <c>lr_find</c> does: trains a fresh network (or a copy of
    /// <paramref name="modelParameters"/>' weights) as Fit would, with this trainer's optimizer, augmentation and
    /// mixing, while the learning rate grows from <see cref="LearningRateFinder.StartRate"/> to
    /// <see cref="LearningRateFinder.EndRate"/>, one batch at a time, until the loss diverges; returns the curve and the
    /// suggested rate. No validation, early stopping, checkpoints or callbacks of yours take part, the network is
    /// discarded, and nothing of the trainer or of <paramref name="modelParameters"/> changes: a Fit afterwards gives
    /// the weights it gives without the search.
    /// </summary>
    /// <param name="input">The training data, as for Fit.</param>
    /// <param name="finder">How to search. Defaults to null: <c>new LearningRateFinder()</c>, fastai's settings.</param>
    /// <param name="modelParameters">A fitted model to search from (a warm start), or null for a fresh network.</param>
    /// <inheritdoc cref="Fit(IDataView)" path="/exception"/>
    public LearningRateFinding FindLearningRate(IDataView input, LearningRateFinder? finder = null, ConvNetModelParameters? modelParameters = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        finder ??= new LearningRateFinder();
        finder.Check();
        var recorder = new LearningRateFinderCallback(finder);
        var search = _settings with
        {
            // Every epoch has at least one batch: this many are always enough; the recorder stops the run.
            Epochs = finder.Steps,
            LearningRate = finder.StartRate,
            Schedule = LearningRateSchedule.Ramp(finder.StartRate, finder.EndRate, finder.Steps),
            EarlyStopping = null,
            ValidationSet = null,
            ValidationFraction = 0,
            CheckpointDirectory = null,
            Resume = false,
            EpochEnded = null,
            Progress = null,
            WeightAveraging = null,
            Callbacks = [.. _settings.Callbacks.Where(c => c is MixingCallback or ImageBatchCallback), recorder],
        };
        Train(input, modelParameters, search).Dispose();
        return LearningRateFinding.From(recorder.Rates, recorder.Losses, recorder.RawLosses, recorder.Diverged);
    }

    /// <summary>One training run on <paramref name="input"/> with <paramref name="s"/>: Fit's, or the learning-rate finder's.</summary>
    private ConvNetTransformer Train(IDataView input, ConvNetModelParameters? modelParameters, TrainingSettings s)
    {
        var data = TrainingInput.Check(input, s, CheckCancelled);
        s = s with { Task = data.Columns.Task }; // with what it took from the label column (a tagger's tag names)
        string? chosen = null;
        if (s.Augmentation is { IsAutomatic: true })
            (s, chosen) = ChooseAugmentation(s, data);
        var device = s.Device.Open(nameof(Options.Device));
        string allocator = s.TuneAllocator ? AllocatorTuning.Apply() : "not tuned (TuneAllocator is off)";
        using var channel = _host.Start("Training");
        if (MLNetVersion.Warning() is { } notChecked)
            ChannelLog.Warning(channel, notChecked);
        torch.set_num_threads(s.Threads);
        var network = BuildNetwork(data, modelParameters, s, channel);
        try
        {
            network.to(device);
            var start = modelParameters is null ? null : WarmStart.From(modelParameters.Training, s.Optimizer, s.Epochs);
            TrainingLoop.CheckBeforeReading(network, s, start);
            var (rows, validation) = data.Read(channel);
            // A warm start keeps what the fitted model's task learned from its labels (a regression's scale): its outputs mean that.
            s = s with { Task = modelParameters?.Task ?? s.Task.FitLabels(rows.Moments) };
            ChannelLog.Info(channel, network.Summary());
            ChannelLog.Info(channel, s.Describe(data.Shape, allocator));
            ChannelLog.Info(channel, $"libtorch: {LibTorchSwitches.NnpackOutcome}.");
            if (chosen is not null)
                ChannelLog.Info(channel, chosen);
            if (start is not null)
                ChannelLog.Info(channel, start.Note);
            using var progress = _host.StartProgressChannel("ConvNet training");
            var loop = new TrainingLoop(network, rows, validation, s, device, start);
            var history = loop.Run(channel, progress, CheckCancelled);
            var task = validation is null ? s.Task : s.Task.FitScores(() => loop.Outputs(validation), validation.Labels);
            if (task.Fitted is { } fitted)
                ChannelLog.Info(channel, fitted);
            if (rows is StreamingRows)
                data.WarnIfUnscaled(channel, rows.FeatureRange); // a stream knows its range only now

            string settings = start is null ? s.Describe(data.Shape) : $"{start.Settings ?? "a fitted network"}; then, from epoch {start.LastEpoch + 1}, {s.Describe(data.Shape)}";
            var record = new TrainingRecord(history, loop.FinalEpoch, rows.FeatureRange, s.Augmentation, settings, loop.OptimizerState, s.TestTimeAugmentation);
            return new ConvNetTransformer(_host, network, task, s.Columns, data.LabelColumn, record);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary><see cref="ImageAugmentation.Automatic"/> made concrete from the first images, and the log's line saying why.</summary>
    private static (TrainingSettings, string) ChooseAugmentation(TrainingSettings s, TrainingInput data)
    {
        var images = data.FirstImages(ImageAugmentation.AutomaticSample);
        var chosen = ImageAugmentation.For(images, data.Shape);
        bool colour = chosen == ImageAugmentation.Photos;
        string why = colour ? "in colour" : data.Shape.Channels == 3 ? "gray (three equal channels)" : data.Shape.Channels == 1 ? "gray" : $"not RGB ({data.Shape.Channels} channels)";
        return (s with { Augmentation = chosen },
            $"Augmentation chosen from the first {images.Length / data.Shape.Size:N0} training images, which are {why}: {chosen} (ImageAugmentation.{(colour ? nameof(ImageAugmentation.Photos) : nameof(ImageAugmentation.Digits))}).");
    }

    private void CheckCancelled()
    {
        _settings.CancellationToken.ThrowIfCancellationRequested();
        EnvironmentAccess.ThrowIfCancelled(_host);
    }

    /// <summary>
    /// The network for the data's image shape and classes: from the seed (and the architecture's pretrained weights, if it
    /// has some), or from a fitted model's weights for a warm start.
    /// </summary>
    private static ConvNetModule BuildNetwork(TrainingInput data, ConvNetModelParameters? fitted, TrainingSettings s, IChannel channel)
    {
        int outputs = s.Task.Outputs(data.Columns.Classes);
        if (fitted is not null && !fitted.Task.SameKind(s.Task))
            throw new ArgumentException($"A warm start continues a fitted network of the same task: the fitted model is {fitted.Task.Name}, this trainer {s.Task.Name}.", "modelParameters");
        if (fitted is not null && (!string.Equals(fitted.Architecture.Name, s.Architecture.Name, StringComparison.OrdinalIgnoreCase)
            || fitted.InputShape != data.Shape || fitted.Network.NumberOfClasses != outputs))
        {
            throw new ArgumentException(
                $"A warm start continues a fitted network of the same shape: the fitted model is {fitted.Architecture.Name} on {fitted.InputShape} images with {fitted.NumberOfClasses} classes, " +
                $"but this trainer builds {s.Architecture.Name} on {data.Shape} images with {data.Columns.Classes} classes. Set Architecture (and InputShape) as the fitted model's, and map the label to the same classes.",
                "modelParameters");
        }
        var network = ConvNetModule.Create(s.Architecture, data.Shape, outputs, s.Seed);
        try
        {
            if (fitted is not null)
                network.LoadWeights(fitted.Network.SnapshotWeights());
            else if (s.Architecture.GetPretrainedWeights(data.Shape) is { } pretrained)
            {
                int copied = network.LoadPretrained(pretrained);
                ChannelLog.Info(channel, $"Started {copied} weight tensors of {s.Architecture.Name} from its pretrained weights ({network.PretrainedLayers.Count} pretrained layers); the other layers start from Keras' initialisation.");
            }
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return network;
    }

    /// <summary>Returns the schema shape the fitted transformer will produce, checking the input columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = _settings.Columns;
        var label = SchemaChecks.CheckShape(inputSchema, columns.Features, columns.Label, _settings.Architecture.InputShape);
        _settings.Task.CheckLabel(label);
        if (_settings.WeightColumn is not null)
            SchemaChecks.CheckWeightShape(inputSchema, _settings.WeightColumn);
        return _settings.Task.AddColumns(inputSchema, label, columns);
    }
}
