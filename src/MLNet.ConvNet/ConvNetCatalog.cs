using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.ConvNet;

/// <summary>
/// Adds <c>ConvNet</c> to <c>mlContext.MulticlassClassification.Trainers</c> (a key-typed label),
/// <c>mlContext.BinaryClassification.Trainers</c> (a Boolean label) and <c>mlContext.Regression.Trainers</c> (a Single
/// label), and <c>ConvNetMultiLabel</c> (tags: a vector of Boolean label) to the multiclass trainers, with
/// <c>EvaluateMultiLabel</c> for its metrics. Each returns a <see cref="ConvNetTrainer"/> whose
/// <see cref="ConvNetTrainer.Task"/> is the catalog's.
/// </summary>
public static class ConvNetCatalog
{
    /// <summary>Creates a <see cref="ConvNetTrainer"/> from options.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The trainer options; see <see cref="ConvNetTrainer.Options"/> for every default.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range.</exception>
    public static ConvNetTrainer ConvNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ConvNetTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConvNetTrainer(catalog.GetEnvironment(), options);
    }

    /// <summary>Creates a <see cref="ConvNetTrainer"/> from flat parameters, as ML.NET's trainers offer.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key-typed label column. Defaults to "Label".</param>
    /// <param name="featureColumnName">The features column: a known-size vector of Single. Defaults to "Features".</param>
    /// <param name="architecture">The registered architecture. Defaults to "SimpleConvNet".</param>
    /// <param name="epochs">Passes over the data. Defaults to null: the architecture's own.</param>
    /// <param name="batchSize">Images per mini-batch. Defaults to 128.</param>
    /// <param name="learningRate">The learning rate of the default optimizer, RMSprop. Defaults to 0.001.</param>
    /// <param name="seed">Seed for initialisation and shuffling. Defaults to null: the MLContext's.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range.</exception>
    public static ConvNetTrainer ConvNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string architecture = SimpleConvNet.ArchitectureName,
        int? epochs = null,
        int batchSize = 128,
        double learningRate = 0.001,
        int? seed = null)
        => catalog.ConvNet(Flat(labelColumnName, featureColumnName, architecture, epochs, batchSize, learningRate, seed));

    /// <summary>
    /// Creates a binary <see cref="ConvNetTrainer"/> from options: a Boolean label; the transformer adds Score (the
    /// log-odds), Probability (calibrated on the validation data when there is some, see <see cref="BinaryClassificationTask"/>)
    /// and PredictedLabel, as ML.NET's calibrated binary trainers do.
    /// </summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="options">The trainer options; see <see cref="ConvNetTrainer.Options"/> for every default. LabelSmoothing, Mixing and RegressionLoss do not apply.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range or does not apply.</exception>
    public static ConvNetTrainer ConvNet(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, ConvNetTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConvNetTrainer(Internals.CatalogAccess.EnvironmentOf(catalog), options, BinaryClassificationTask.Uncalibrated);
    }

    /// <summary>Creates a binary <see cref="ConvNetTrainer"/> from flat parameters.</summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="labelColumnName">The Boolean label column. Defaults to "Label".</param>
    /// <param name="featureColumnName">The features column: a known-size vector of Single. Defaults to "Features".</param>
    /// <param name="architecture">The registered architecture. Defaults to "SimpleConvNet".</param>
    /// <param name="epochs">Passes over the data. Defaults to null: the architecture's own.</param>
    /// <param name="batchSize">Images per mini-batch. Defaults to 128.</param>
    /// <param name="learningRate">The learning rate of the default optimizer, RMSprop. Defaults to 0.001.</param>
    /// <param name="seed">Seed for initialisation and shuffling. Defaults to null: the MLContext's.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range.</exception>
    public static ConvNetTrainer ConvNet(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string architecture = SimpleConvNet.ArchitectureName,
        int? epochs = null,
        int batchSize = 128,
        double learningRate = 0.001,
        int? seed = null)
        => catalog.ConvNet(Flat(labelColumnName, featureColumnName, architecture, epochs, batchSize, learningRate, seed));

    /// <summary>
    /// Creates a regression <see cref="ConvNetTrainer"/> from options: a Single label, learned standardised (see
    /// <see cref="RegressionTask"/>); the transformer adds Score in the label's unit, as ML.NET's regressors do.
    /// </summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="options">The trainer options; see <see cref="ConvNetTrainer.Options"/> for every default, and <see cref="ConvNetTrainer.Options.RegressionLoss"/>. LabelSmoothing and Mixing do not apply.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range or does not apply.</exception>
    public static ConvNetTrainer ConvNet(this RegressionCatalog.RegressionTrainers catalog, ConvNetTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConvNetTrainer(Internals.CatalogAccess.EnvironmentOf(catalog), options, new RegressionTask(RegressionLoss.Squared));
    }

    /// <summary>Creates a regression <see cref="ConvNetTrainer"/> from flat parameters.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">The Single label column. Defaults to "Label".</param>
    /// <param name="featureColumnName">The features column: a known-size vector of Single. Defaults to "Features".</param>
    /// <param name="architecture">The registered architecture. Defaults to "SimpleConvNet".</param>
    /// <param name="epochs">Passes over the data. Defaults to null: the architecture's own.</param>
    /// <param name="batchSize">Images per mini-batch. Defaults to 128.</param>
    /// <param name="learningRate">The learning rate of the default optimizer, RMSprop. Defaults to 0.001.</param>
    /// <param name="seed">Seed for initialisation and shuffling. Defaults to null: the MLContext's.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range.</exception>
    public static ConvNetTrainer ConvNet(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string architecture = SimpleConvNet.ArchitectureName,
        int? epochs = null,
        int batchSize = 128,
        double learningRate = 0.001,
        int? seed = null)
        => catalog.ConvNet(Flat(labelColumnName, featureColumnName, architecture, epochs, batchSize, learningRate, seed));

    /// <summary>
    /// Creates a tagging <see cref="ConvNetTrainer"/> from options: a label that is a known-size vector of Boolean (or
    /// of Single in [0, 1]), one slot per tag; the transformer adds PredictedLabels (a vector of Boolean, at each tag's
    /// threshold) and Score (each tag's probability), both with the tags' names as slot names (see
    /// <see cref="MultiLabelClassificationTask"/>). Evaluate with <see cref="EvaluateMultiLabel"/>.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog: ML.NET has no multi-label one.</param>
    /// <param name="options">The trainer options; see <see cref="ConvNetTrainer.Options"/> for every default, and
    /// <see cref="ConvNetTrainer.Options.TagThreshold"/> and <see cref="ConvNetTrainer.Options.TuneTagThresholds"/>. LabelSmoothing, Mixing and RegressionLoss do not apply.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range or does not apply.</exception>
    public static ConvNetTrainer ConvNetMultiLabel(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ConvNetTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConvNetTrainer(catalog.GetEnvironment(), options, new MultiLabelClassificationTask(MultiLabelClassificationTask.DefaultThreshold, false));
    }

    /// <summary>Creates a tagging <see cref="ConvNetTrainer"/> from flat parameters.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The tags: a known-size vector of Boolean. Defaults to "Label".</param>
    /// <param name="featureColumnName">The features column: a known-size vector of Single. Defaults to "Features".</param>
    /// <param name="architecture">The registered architecture. Defaults to "SimpleConvNet".</param>
    /// <param name="epochs">Passes over the data. Defaults to null: the architecture's own.</param>
    /// <param name="batchSize">Images per mini-batch. Defaults to 128.</param>
    /// <param name="learningRate">The learning rate of the default optimizer, RMSprop. Defaults to 0.001.</param>
    /// <param name="seed">Seed for initialisation and shuffling. Defaults to null: the MLContext's.</param>
    /// <exception cref="ArgumentException">The architecture is not registered, or an option is out of range.</exception>
    public static ConvNetTrainer ConvNetMultiLabel(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string architecture = SimpleConvNet.ArchitectureName,
        int? epochs = null,
        int batchSize = 128,
        double learningRate = 0.001,
        int? seed = null)
        => catalog.ConvNetMultiLabel(Flat(labelColumnName, featureColumnName, architecture, epochs, batchSize, learningRate, seed));

    /// <summary>
    /// The metrics of a tagger's scored data, which ML.NET has no evaluator for: per tag AUC, precision, recall and F1,
    /// micro- and macro-averaged F1, Hamming loss and subset accuracy (<see cref="MultiLabelMetrics"/>).
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="data">Scored data: the label (a vector of Boolean, or of Single where above 0.5 is a tag), Score and PredictedLabels.</param>
    /// <param name="labelColumnName">The tags each image has. Defaults to "Label".</param>
    /// <param name="scoreColumnName">Each tag's probability. Defaults to "Score".</param>
    /// <param name="predictedLabelsColumnName">Each tag predicted or not. Defaults to "PredictedLabels".</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing, of another type, or the three differ in size.</exception>
    public static MultiLabelMetrics EvaluateMultiLabel(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score", string predictedLabelsColumnName = "PredictedLabels")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        return MultiLabelMetrics.Compute(data, labelColumnName, scoreColumnName, predictedLabelsColumnName);
    }

    private static ConvNetTrainer.Options Flat(string label, string features, string architecture, int? epochs, int batchSize, double learningRate, int? seed) => new()
    {
        LabelColumnName = label,
        FeatureColumnName = features,
        Architecture = architecture,
        Epochs = epochs,
        BatchSize = batchSize,
        LearningRate = learningRate,
        Seed = seed,
    };

    private static IHostEnvironment GetEnvironment(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog)
        => Internals.CatalogAccess.EnvironmentOf(catalog);
}
