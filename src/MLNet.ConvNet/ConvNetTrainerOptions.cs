using Microsoft.ML;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Training;

namespace MLNet.ConvNet;

public sealed partial class ConvNetTrainer
{
    /// <summary>
    /// Options for <see cref="ConvNetTrainer"/>. The defaults reproduce the Keras MNIST tutorial: RMSprop
    /// (learning rate 0.001, rho 0.9, epsilon 1e-7), batch 128, and the architecture's own epoch count.
    /// </summary>
    public sealed class Options
    {
        /// <summary>The label column: a key type, one value per class. Defaults to "Label".</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The features column: a known-size vector of Single with channels x height x width values. Defaults to "Features".</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>The output column with one probability per class. Defaults to "Score".</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>The output column with the predicted class, a key like the label. Defaults to "PredictedLabel".</summary>
        public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

        /// <summary>The registered architecture to train (see <see cref="ArchitectureRegistry"/>). Defaults to "SimpleConvNet".</summary>
        public string Architecture { get; set; } = SimpleConvNet.ArchitectureName;

        /// <summary>Passes over the training data. Defaults to null: the architecture's own (5 for SimpleConvNet, 10 for LeNot).</summary>
        public int? Epochs { get; set; }

        /// <summary>Images per mini-batch. Defaults to 128.</summary>
        public int BatchSize { get; set; } = 128;

        /// <summary>RMSprop learning rate. Defaults to 0.001.</summary>
        public double LearningRate { get; set; } = 0.001;

        /// <summary>RMSprop discount factor for the running average of squared gradients (PyTorch's alpha). Defaults to 0.9.</summary>
        public double Rho { get; set; } = 0.9;

        /// <summary>RMSprop term added to the denominator for numerical stability. Defaults to 1e-7.</summary>
        public double Epsilon { get; set; } = 1e-7;

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

        /// <summary>Threads libtorch uses (a process-wide setting). Defaults to null: one per processor core.</summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>The optimizer. Defaults to <see cref="ConvNetOptimizer.RMSprop"/>, as the Keras tutorial.</summary>
        public ConvNetOptimizer Optimizer { get; set; } = ConvNetOptimizer.RMSprop;

        /// <summary>Adam and AdamW: decay rate of the first-moment estimates. Defaults to 0.9.</summary>
        public double Beta1 { get; set; } = 0.9;

        /// <summary>Adam and AdamW: decay rate of the second-moment estimates. Defaults to 0.999.</summary>
        public double Beta2 { get; set; } = 0.999;

        /// <summary>SGD: momentum factor. Defaults to 0 (plain SGD).</summary>
        public double Momentum { get; set; }

        /// <summary>SGD: use Nesterov momentum (needs <see cref="Momentum"/> above 0). Defaults to false.</summary>
        public bool Nesterov { get; set; }

        /// <summary>
        /// Weight decay. AdamW decouples it from the gradient; the other optimizers add it as an L2 penalty.
        /// Defaults to null: 0.01 for AdamW (PyTorch's default), 0 for the others.
        /// </summary>
        public double? WeightDecay { get; set; }

        /// <summary>How the learning rate changes over training. Defaults to <see cref="LearningRateSchedule.Constant"/>.</summary>
        public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.Constant;

        /// <summary>
        /// Data scored after every epoch for validation loss and accuracy; same columns as the training data.
        /// Defaults to null. Give this or <see cref="ValidationFraction"/>, not both.
        /// </summary>
        public IDataView ValidationSet { get; set; }

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
        public string CheckpointDirectory { get; set; }

        /// <summary>
        /// Continue from the newest checkpoint in <see cref="CheckpointDirectory"/>, if any, as if training had never
        /// stopped (same seed, data, options and thread count give the same final weights). Defaults to false.
        /// </summary>
        public bool ResumeFromCheckpoint { get; set; }

        /// <summary>
        /// Told after every batch where training stands (epoch, batch, loss, accuracy, learning rate, elapsed and
        /// estimated remaining time), on the training thread. Defaults to null.
        /// </summary>
        public IProgress<TrainingProgress> Progress { get; set; }

        /// <summary>Cancels training within one batch with <see cref="OperationCanceledException"/>. ML.NET's own cancellation of the environment is honoured too. Defaults to none.</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>Called after every epoch with its metrics, on the training thread. Defaults to null.</summary>
        public Action<EpochMetrics> EpochEnded { get; set; }

        /// <summary>
        /// The Keras-style summary of the network these options train: every layer's output shape and
        /// parameter count, then the totals.
        /// </summary>
        /// <param name="numberOfClasses">The number of classes of the label. Defaults to 10.</param>
        /// <exception cref="ArgumentException">The architecture is not registered.</exception>
        public string GetSummary(int numberOfClasses = 10)
        {
            using var model = ModelFactory.Create(ArchitectureRegistry.Get(Architecture), numberOfClasses, seed: 0);
            return model.Summary();
        }
    }
}
