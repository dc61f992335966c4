using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.ConvNet.Internals;

/// <summary>Reaches the user's environment behind a trainers catalog, as ML.NET's own catalog extensions do.</summary>
internal static class CatalogAccess
{
    public static IHostEnvironment EnvironmentOf(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog)
        => ((IInternalCatalog)catalog).Environment;

    public static IHostEnvironment EnvironmentOf(BinaryClassificationCatalog.BinaryClassificationTrainers catalog)
        => ((IInternalCatalog)catalog).Environment;

    public static IHostEnvironment EnvironmentOf(RegressionCatalog.RegressionTrainers catalog)
        => ((IInternalCatalog)catalog).Environment;
}
