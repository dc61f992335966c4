using Microsoft.ML;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Native;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet;

public sealed partial class ConvNetTrainer
{
    /// <summary>
    /// Options for <see cref="ConvNetTrainer"/>. The defaults reproduce the Keras MNIST tutorial: RMSprop
    /// (learning rate 0.001, rho 0.9, epsilon 1e-7), batch 128, and the architecture's own epoch count.
    /// They are read and checked once, when the trainer is created; changing them afterwards does not change it.
    /// </summary>
    public sealed class Options
    {
        /// <summary>
        /// The label column: a key type, one value per class, for the multiclass catalog; Boolean for the binary catalog;
        /// Single for the regression catalog. Defaults to "Label".
        /// </summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The features column: a known-size vector of Single with channels x height x width values. Defaults to "Features".</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>
        /// A Single column with each example's weight in the loss (0 or more, finite): the loss of a batch is the
        /// weighted mean of its examples' cross-entropies, so an example of weight 2 counts as two. Validation loss and
        /// the accuracies stay unweighted. Defaults to null: every example weighs the same.
        /// </summary>
        public string? ExampleWeightColumnName { get; set; }

        /// <summary>The output column with one probability per class. Defaults to "Score".</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>The output column with the predicted class, a key like the label (a Boolean for the binary catalog). Defaults to "PredictedLabel"; for the tagger, "PredictedLabels", a vector of Boolean.</summary>
        public string PredictedLabelColumnName { get; set; } = DefaultPredictedLabel;

        private const string DefaultPredictedLabel = "PredictedLabel";

        /// <summary>The registered architecture to train (see <see cref="ArchitectureRegistry"/>). Defaults to "SimpleConvNet".</summary>
        public string Architecture { get; set; } = SimpleConvNet.ArchitectureName;

        /// <summary>
        /// The shape of the images in the features column (channels x height x width values, channel-major). Defaults to
        /// null: the shape the column's type carries (as <c>ConvNetImageFeatures</c> and ImageAnalytics' pixel
        /// extraction record it), else the architecture's own (1x28x28 for the built-in ones).
        /// </summary>
        public ImageShape? InputShape { get; set; }

        /// <summary>Passes over the training data. Defaults to null: the architecture's own (5 for SimpleConvNet, 10 for LeNot).</summary>
        public int? Epochs { get; set; }

        /// <summary>Images per mini-batch. Defaults to 128.</summary>
        public int BatchSize { get; set; } = 128;

        /// <summary>The learning rate, for every optimizer; a schedule starts from it. Defaults to 0.001.</summary>
        public double LearningRate { get; set; } = 0.001;

        /// <summary>
        /// Training data up to this size (4 bytes per feature value, plus the label) is copied into memory once and
        /// shuffled exactly every epoch; larger data is read again from the data view every epoch through a shuffle
        /// buffer of <see cref="ShuffleBufferBytes"/>, so memory stays flat whatever the number of rows (docs/data.md).
        /// Defaults to 1 GiB (full MNIST is 190 MB).
        /// </summary>
        public long InMemoryBudgetBytes { get; set; } = 1L << 30;

        /// <summary>
        /// When the data streams (see <see cref="InMemoryBudgetBytes"/>): the shuffle buffer's size; each batch draws
        /// its rows at random from the rows it holds. Defaults to 256 MiB (85,000 28x28 images, 5,400 RGB 64x64 ones).
        /// </summary>
        public long ShuffleBufferBytes { get; set; } = 256L << 20;

        /// <summary>Whether to reshuffle the training rows every epoch. Defaults to true.</summary>
        public bool Shuffle { get; set; } = true;

        /// <summary>Seed for weight initialisation and shuffling. Defaults to null: the MLContext's seed, or a random one if it has none.</summary>
        public int? Seed { get; set; }

        /// <summary>
        /// Where to train: "cpu", or "cuda" / "cuda:N" when the application references a TorchSharp CUDA package
        /// and a GPU is present (checked when Fit starts, with an error that says what is missing). The fitted
        /// model scores on the same device; a loaded model scores on the CPU. Defaults to "cpu".
        /// </summary>
        public string Device { get; set; } = "cpu";

        /// <summary>
        /// Threads libtorch uses, set on the thread that calls Fit. It is a process-wide setting that each thread reads
        /// when it first runs libtorch, so threads that already have keep theirs. Defaults to null: one per processor core.
        /// </summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>
        /// On Linux, raise glibc's mmap and trim thresholds and hold it to two arenas, once, process-wide, when training
        /// starts, so libtorch reuses its per-batch buffers instead of mapping fresh zeroed pages every batch (faster by up
        /// to a third on small networks) or keeping a copy per thread (docs/benchmarks.md). The environment variable <c>MLNET_CONVNET_TUNE_ALLOCATOR=0</c> turns it off
        /// for a whole deployment. Defaults to true.
        /// </summary>
        public bool TuneAllocator { get; set; } = true;

        /// <summary>
        /// The optimizer, with its own settings: <see cref="RMSpropOptimizer"/>, <see cref="AdamOptimizer"/>,
        /// <see cref="AdamWOptimizer"/> or <see cref="SgdOptimizer"/>. Defaults to <c>new RMSpropOptimizer()</c>
        /// (rho 0.9, epsilon 1e-7), as the Keras tutorial.
        /// </summary>
        public ConvNetOptimizer Optimizer { get; set; } = new RMSpropOptimizer();

        /// <summary>How the learning rate changes over training. Defaults to <see cref="LearningRateSchedule.Constant"/>.</summary>
        public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.Constant;

        /// <summary>
        /// Random rotation, shift, zoom, shear and mirror of every training image, drawn afresh each epoch from the
        /// seed (validation and scoring images are never changed), such as <see cref="ImageAugmentation.Digits"/>.
        /// Defaults to null: the images as they are, as in the Keras tutorial. See docs/training.md.
        /// </summary>
        public ImageAugmentation? Augmentation { get; set; }

        /// <summary>
        /// torchvision's RandomResizedCrop on every training image (<see cref="ConvNet.RandomResizedCrop"/>), after
        /// <see cref="Augmentation"/>. Defaults to null: none.
        /// </summary>
        public RandomResizedCrop? RandomResizedCrop { get; set; }

        /// <summary>
        /// Random brightness, contrast and saturation of every training image (<see cref="ConvNet.ColorJitter"/>), after
        /// the crop. Defaults to null: none.
        /// </summary>
        public ColorJitter? ColorJitter { get; set; }

        /// <summary>
        /// Label smoothing ε: the network is taught 1 - ε + ε / classes for an image's class and ε / classes for each
        /// other (Szegedy et al., 2016), which keeps it from growing overconfident; in [0, 1). A binary or tagging ConvNet
        /// is taught 1 - ε / 2 and ε / 2 for yes and no (Keras' binary label smoothing); a regression refuses it. The
        /// validation loss stays the plain cross-entropy. Defaults to 0: none.
        /// </summary>
        public double LabelSmoothing { get; set; }

        /// <summary>
        /// Mixup or cutmix of each training batch, images and labels together (<see cref="BatchMixing"/>), after
        /// <see cref="Augmentation"/>. Defaults to null: none.
        /// </summary>
        public BatchMixing? Mixing { get; set; }

        /// <summary>
        /// The loss of <c>mlContext.Regression.Trainers.ConvNet</c> (<see cref="ConvNet.RegressionLoss"/>), on the label
        /// standardised by its training mean and standard deviation; the other catalogs refuse it. Defaults to null:
        /// <see cref="RegressionLoss.Squared"/>.
        /// </summary>
        public RegressionLoss? RegressionLoss { get; set; }

        /// <summary>
        /// The probability above which <c>mlContext.MulticlassClassification.Trainers.ConvNetMultiLabel</c> predicts a
        /// tag, for every tag; in (0, 1). The other catalogs refuse it. Defaults to null: 0.5.
        /// </summary>
        public double? TagThreshold { get; set; }

        /// <summary>
        /// Whether the tagger sets each tag's threshold after training to the one that gives the best F1 on the
        /// validation rows (ValidationSet or ValidationFraction); without validation data the thresholds stay
        /// <see cref="TagThreshold"/>, and the log says so. The other catalogs refuse it. Defaults to false.
        /// </summary>
        public bool TuneTagThresholds { get; set; }

        /// <summary>
        /// An exponential moving average of the weights after every step (<see cref="ConvNet.WeightAveraging"/>): what
        /// validation scores, early stopping keeps and the fitted model ends with. Defaults to null: the weights as trained.
        /// </summary>
        public WeightAveraging? WeightAveraging { get; set; }

        /// <summary>
        /// What the fitted model's scores average over, saved in the model: <see cref="ConvNet.TestTimeAugmentation.HorizontalFlip"/>
        /// scores each image and its mirror and averages the probabilities (for photographs). Training and validation
        /// are unchanged; the ONNX export refuses such a model. Defaults to <see cref="ConvNet.TestTimeAugmentation.None"/>.
        /// </summary>
        public TestTimeAugmentation TestTimeAugmentation { get; set; }

        /// <summary>
        /// Your hooks into the training loop (<see cref="TrainingCallback"/>): batch start, loss, step, epoch end,
        /// start and end of the run. They run after the library's own (mixing), in this order. Defaults to none.
        /// </summary>
        public IList<TrainingCallback> Callbacks { get; set; } = new List<TrainingCallback>();

        /// <summary>
        /// How the pretrained layers of an architecture that has some (<see cref="PretrainedNetworks.ResNet18"/>, an ONNX
        /// import) are fine-tuned: head epochs with them frozen, then a lower learning rate for them. Defaults to null:
        /// <see cref="ConvNet.FineTuning.Default"/> for such an architecture; other architectures have nothing to freeze.
        /// </summary>
        public FineTuning? FineTuning { get; set; }

        /// <summary>
        /// Data scored after every epoch for validation loss and accuracy; same columns as the training data.
        /// Defaults to null. Give this or <see cref="ValidationFraction"/>, not both.
        /// </summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>
        /// Share of the training rows held out, chosen with the seed, for validation; in [0, 1). Defaults to 0: none.
        /// </summary>
        public double ValidationFraction { get; set; }

        /// <summary>
        /// Stop when <see cref="EarlyStoppingMetric"/> has not improved for <see cref="Patience"/> epochs.
        /// Defaults to null: on when there is validation data (<see cref="ValidationSet"/> or <see cref="ValidationFraction"/>), off otherwise.
        /// </summary>
        public bool? EarlyStopping { get; set; }

        /// <summary>The metric early stopping watches. Defaults to null: validation loss with validation data, training loss without.</summary>
        public TrainingMetric? EarlyStoppingMetric { get; set; }

        /// <summary>Epochs without improvement before early stopping ends training. Defaults to 3.</summary>
        public int Patience { get; set; } = 3;

        /// <summary>The smallest change of the watched metric that counts as an improvement. Defaults to 0.</summary>
        public double MinDelta { get; set; }

        /// <summary>With early stopping, end with the weights of the best epoch rather than the last. Defaults to true.</summary>
        public bool RestoreBestWeights { get; set; } = true;

        /// <summary>
        /// A folder that receives a checkpoint after every epoch (weights, optimizer state, history), each written
        /// atomically as <c>epoch-NNNN.ckpt</c>. Defaults to null: no checkpoints.
        /// </summary>
        public string? CheckpointDirectory { get; set; }

        /// <summary>
        /// Continue from the newest checkpoint in <see cref="CheckpointDirectory"/>, if any, as if training had never
        /// stopped (same seed, data, options and thread count give the same final weights). Defaults to false.
        /// </summary>
        public bool ResumeFromCheckpoint { get; set; }

        /// <summary>
        /// Told after every batch where training stands (epoch, batch, loss, accuracy, learning rate, elapsed and
        /// estimated remaining time), on the training thread. Defaults to null.
        /// </summary>
        public IProgress<TrainingProgress>? Progress { get; set; }

        /// <summary>Cancels training within one batch with <see cref="OperationCanceledException"/>: the way to stop a Fit. Defaults to none.</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>Called after every epoch with its metrics, on the training thread. Defaults to null.</summary>
        public Action<EpochMetrics>? EpochEnded { get; set; }

        /// <summary>
        /// The recipe for few images (docs/training.md, "The augmented recipe"): augmentation chosen from the images
        /// (<see cref="ImageAugmentation.Automatic"/>: <see cref="ImageAugmentation.Digits"/> for gray images,
        /// <see cref="ImageAugmentation.Photos"/>, with a mirror, for colour ones), Adam with a one-cycle schedule peaking
        /// at a learning rate of 0.005, 50 epochs, batch 128, and no early stopping even with validation data (the
        /// schedule runs its whole length: stopped in its warm-up, a binary emoji classifier's AUC fell from 0.88 to 0.79,
        /// docs/tasks.md). On the first 10,000 MNIST training images it takes both
        /// built-in networks from about 97.3% (the tutorial's recipe) to 99.0% test accuracy (medians over seeds 1-3;
        /// `dotnet run --project examples/MnistConvNet -c Release -- recipe`). Returns new options that can be changed further.
        /// </summary>
        /// <param name="architecture">The registered architecture to train. Defaults to "SimpleConvNet".</param>
        public static Options AugmentedRecipe(string architecture = SimpleConvNet.ArchitectureName) => new()
        {
            Architecture = architecture,
            Epochs = 50,
            BatchSize = 128,
            Optimizer = new AdamOptimizer(),
            LearningRate = 0.005,
            LearningRateSchedule = LearningRateSchedule.OneCycle(),
            Augmentation = ImageAugmentation.Automatic,
            EarlyStopping = false, // a one-cycle schedule runs its whole length, validation data or not
        };

        /// <summary>
        /// The recipe for fine-tuning a pretrained network on few labelled images (docs/transfer-learning.md): Adam with
        /// a one-cycle schedule peaking at a learning rate of 0.001, batch 32, and about 300 steps: 10 epochs for 1,000
        /// images or more, more epochs for fewer (<paramref name="trainingImages"/>). The first tenth of the epochs
        /// trains the new head alone, then every layer trains at the scheduled rate (the one-cycle warm-up keeps the first
        /// steps on the pretrained weights small). On top, what measurably helps on real images (docs/transfer-learning.md,
        /// "On real images"): augmentation chosen from the images (<see cref="ImageAugmentation.Automatic"/>), brightness,
        /// contrast and saturation jitter (<see cref="ColorJitter.Photos"/>) and label smoothing 0.1; no early stopping
        /// even with validation data (the one-cycle schedule runs its whole length: stopped early, a binary emoji
        /// classifier's AUC fell from 0.94 to 0.88, docs/tasks.md). Returns new options that can be changed further.
        /// </summary>
        /// <param name="architecture">The architecture with pretrained layers. Defaults to "ResNet18".</param>
        /// <param name="trainingImages">How many images training will see; null for 1,000 or more.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainingImages"/> is below 1.</exception>
        public static Options FineTuningRecipe(string architecture = PretrainedNetworks.ResNet18Name, int? trainingImages = null)
        {
            const int batch = 32, steps = 300;
            Ranges.Check(trainingImages, trainingImages is null or > 0, nameof(trainingImages), "at least 1 (or null for 1,000 or more)");
            int epochs = Math.Max(10, (int)Math.Ceiling(steps * (double)batch / (trainingImages ?? int.MaxValue)));
            return new Options
            {
                Architecture = architecture,
                Epochs = epochs,
                BatchSize = batch,
                Optimizer = new AdamOptimizer(),
                LearningRate = 0.001,
                LearningRateSchedule = LearningRateSchedule.OneCycle(),
                FineTuning = new FineTuning { HeadEpochs = Math.Max(1, epochs / 10), BackboneLearningRateFactor = 1 },
                Augmentation = ImageAugmentation.Automatic,
                ColorJitter = ColorJitter.Photos,
                LabelSmoothing = 0.1,
                EarlyStopping = false, // a one-cycle schedule runs its whole length, validation data or not
            };
        }

        /// <summary>The library's batch features, in their fixed order: crop, colour, mixing (images first, then labels).</summary>
        private IEnumerable<TrainingCallback> LibraryCallbacks()
        {
            if (RandomResizedCrop is { } crop)
                yield return new Training.ImageBatchCallback(crop.Apply);
            if (ColorJitter is { IsIdentity: false } jitter)
                yield return new Training.ImageBatchCallback(jitter.Apply);
            if (Mixing is { IsIdentity: false } mixing)
                yield return new Training.MixingCallback(mixing);
        }

        /// <summary>Checks every option and fills in every default: the one place options are read.</summary>
        /// <param name="environmentSeed">The MLContext's seed, if it has one.</param>
        /// <param name="task">The catalog's task: the multiclass one unless given.</param>
        /// <exception cref="ArgumentException">An option is out of range, options contradict each other, or an option does not apply to the task.</exception>
        internal TrainingSettings Resolve(int? environmentSeed, ConvNetTask? task = null)
        {
            task ??= MulticlassClassificationTask.Instance;
            if (task is RegressionTask)
                task = new RegressionTask(RegressionLoss ?? ConvNet.RegressionLoss.Squared);
            else if (RegressionLoss is not null)
                throw new ArgumentException($"{nameof(RegressionLoss)} is the loss of mlContext.Regression.Trainers.ConvNet; this trainer is {task.Name}. Leave it null.", nameof(RegressionLoss));
            if (task is MultiLabelClassificationTask)
            {
                Ranges.Check(TagThreshold, TagThreshold is null or > 0 and < 1, nameof(TagThreshold), "in (0, 1), or null for 0.5");
                task = new MultiLabelClassificationTask((float)(TagThreshold ?? MultiLabelClassificationTask.DefaultThreshold), TuneTagThresholds);
            }
            else if ((TagThreshold is not null ? nameof(TagThreshold) : TuneTagThresholds ? nameof(TuneTagThresholds) : null) is { } tagOption)
                throw new ArgumentException($"{tagOption} is an option of mlContext.MulticlassClassification.Trainers.ConvNetMultiLabel; this trainer is {task.Name}. Leave it unset.", tagOption);
            static void Check(bool ok, string name, object? value, string expected) => Ranges.Check(value, ok, name, expected);
            var architecture = PretrainedNetworks.Resolve(Architecture);
            Check(Epochs is null or > 0, nameof(Epochs), Epochs, "at least 1 (or null for the architecture's default)");
            Check(BatchSize > 0, nameof(BatchSize), BatchSize, "at least 1");
            Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a positive finite number");
            Check(NumberOfThreads is null or > 0, nameof(NumberOfThreads), NumberOfThreads, "at least 1 (or null for one per core)");
            Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
            Check(Patience > 0, nameof(Patience), Patience, "at least 1");
            Check(MinDelta >= 0, nameof(MinDelta), MinDelta, "0 or more");
            Check(InMemoryBudgetBytes >= 0, nameof(InMemoryBudgetBytes), InMemoryBudgetBytes, "0 or more (0 streams every data set)");
            Check(ShuffleBufferBytes > 0, nameof(ShuffleBufferBytes), ShuffleBufferBytes, "positive");
            Check(!ResumeFromCheckpoint || !string.IsNullOrWhiteSpace(CheckpointDirectory), nameof(CheckpointDirectory), CheckpointDirectory, "a folder when ResumeFromCheckpoint is set");
            ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
            ArgumentNullException.ThrowIfNull(LearningRateSchedule, nameof(LearningRateSchedule));
            Augmentation?.Check(nameof(Augmentation));
            RandomResizedCrop?.Check(nameof(RandomResizedCrop));
            Check(Enum.IsDefined(TestTimeAugmentation), nameof(TestTimeAugmentation), TestTimeAugmentation, "None or HorizontalFlip");
            Check(LabelSmoothing is >= 0 and < 1, nameof(LabelSmoothing), LabelSmoothing, "in [0, 1)");
            ArgumentNullException.ThrowIfNull(Callbacks, nameof(Callbacks));
            if (Callbacks.Any(c => c is null))
                throw new ArgumentException($"{nameof(Callbacks)} holds a null at position {Callbacks.ToList().IndexOf(null!)}; give callbacks only.", nameof(Callbacks));
            if (ValidationSet is not null && ValidationFraction > 0)
                throw new ArgumentException($"Give either ValidationSet or ValidationFraction, not both (ValidationFraction is {ValidationFraction}).", nameof(ValidationFraction));
            if (ExampleWeightColumnName is not null && string.IsNullOrWhiteSpace(ExampleWeightColumnName))
                throw new ArgumentException($"{nameof(ExampleWeightColumnName)} must name a column, or be null for none; got '{ExampleWeightColumnName}'.", nameof(ExampleWeightColumnName));
            foreach (var (name, value) in new[] { (nameof(LabelColumnName), LabelColumnName), (nameof(FeatureColumnName), FeatureColumnName), (nameof(ScoreColumnName), ScoreColumnName), (nameof(PredictedLabelColumnName), PredictedLabelColumnName) })
            {
                if (string.IsNullOrWhiteSpace(value))
                    throw new ArgumentException($"{name} must name a column; got '{value}'.", name);
            }

            if (!task.SmoothsLabels && LabelSmoothing > 0)
            {
                throw new ArgumentException($"{nameof(LabelSmoothing)} is {LabelSmoothing}, but a {task.Name} ConvNet learns a number, which has no classes to smooth towards; " +
                    "set it to 0 (FineTuningRecipe sets 0.1 for classifiers).", nameof(LabelSmoothing));
            }
            if (!task.MixesClasses && Mixing is { IsIdentity: false })
                throw new ArgumentException($"{nameof(Mixing)} mixes class probabilities, which a {task.Name} ConvNet does not learn; set it for mlContext.MulticlassClassification.Trainers.ConvNet only.", nameof(Mixing));
            bool hasValidation = ValidationSet is not null || ValidationFraction > 0;
            if (!task.HasAccuracy && (EarlyStoppingMetric is TrainingMetric.Accuracy or TrainingMetric.ValidationAccuracy || LearningRateSchedule.Monitor(hasValidation) is TrainingMetric.Accuracy or TrainingMetric.ValidationAccuracy))
                throw new ArgumentException($"A {task.Name} ConvNet has no accuracy to watch; watch {TrainingMetric.Loss} or {TrainingMetric.ValidationLoss}.", nameof(EarlyStoppingMetric));
            EarlyStoppingSettings? stopping = null;
            if (EarlyStopping ?? hasValidation)
            {
                var metric = EarlyStoppingMetric ?? (hasValidation ? TrainingMetric.ValidationLoss : TrainingMetric.Loss);
                if (metric.IsValidation() && !hasValidation)
                    throw new ArgumentException($"Early stopping watches {metric}, but there is no validation data: set ValidationSet or ValidationFraction, or watch {TrainingMetric.Loss}.", nameof(EarlyStoppingMetric));
                stopping = new EarlyStoppingSettings(metric, Patience, MinDelta, RestoreBestWeights);
            }
            if (LearningRateSchedule.Monitor(hasValidation) is { } watched && watched.IsValidation() && !hasValidation)
                throw new ArgumentException($"The learning-rate schedule watches {watched}, but there is no validation data: set ValidationSet or ValidationFraction, or watch {TrainingMetric.Loss}.", nameof(LearningRateSchedule));

            return new TrainingSettings
            {
                Task = task,
                Architecture = architecture,
                // A tagger predicts several labels: its default column is PredictedLabels, a vector.
                Columns = new ColumnNames(FeatureColumnName, LabelColumnName, ScoreColumnName,
                    task is MultiLabelClassificationTask && PredictedLabelColumnName == DefaultPredictedLabel ? "PredictedLabels" : PredictedLabelColumnName),
                WeightColumn = ExampleWeightColumnName,
                InputShape = InputShape,
                InMemoryBudgetBytes = InMemoryBudgetBytes,
                ShuffleBufferBytes = ShuffleBufferBytes,
                Epochs = Epochs ?? architecture.DefaultEpochs,
                BatchSize = BatchSize,
                Optimizer = Optimizer,
                LearningRate = LearningRate,
                Schedule = LearningRateSchedule,
                Augmentation = Augmentation is { IsIdentity: false } ? Augmentation : null,
                LabelSmoothing = LabelSmoothing,
                Mixing = Mixing is { IsIdentity: false } ? Mixing : null,
                WeightAveraging = WeightAveraging,
                RandomResizedCrop = RandomResizedCrop,
                TestTimeAugmentation = TestTimeAugmentation,
                ColorJitter = ColorJitter is { IsIdentity: false } ? ColorJitter : null,
                Callbacks = LibraryCallbacks().Concat(Callbacks).ToList(),
                FineTuning = FineTuning ?? ConvNet.FineTuning.Default,
                Seed = Seed ?? environmentSeed ?? Random.Shared.Next(),
                Shuffle = Shuffle,
                EarlyStopping = stopping,
                ValidationSet = ValidationSet,
                ValidationFraction = ValidationFraction,
                CheckpointDirectory = CheckpointDirectory,
                Resume = ResumeFromCheckpoint,
                Device = ComputeDevice.Parse(Device, nameof(Device)),
                Threads = NumberOfThreads ?? Environment.ProcessorCount,
                TuneAllocator = TuneAllocator,
                EpochEnded = EpochEnded,
                Progress = Progress,
                CancellationToken = CancellationToken,
            };
        }
    }
}
