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

        /// <summary>Threads libtorch uses (a process-wide setting). Defaults to null: one per processor core.</summary>
        public int? NumberOfThreads { get; set; }

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
