using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.ConvNet;

/// <summary>Adds <c>ConvNet</c> to <c>mlContext.MulticlassClassification.Trainers</c>.</summary>
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
        => catalog.ConvNet(new ConvNetTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Architecture = architecture,
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
            Seed = seed,
        });

    private static IHostEnvironment GetEnvironment(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog)
        => Internals.CatalogAccess.EnvironmentOf(catalog);
}
