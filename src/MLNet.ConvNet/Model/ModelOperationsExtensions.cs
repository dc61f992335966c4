using Microsoft.ML;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet;

/// <summary>Saving models so that a crash or an error never leaves a half-written file in place.</summary>
public static class ModelOperationsExtensions
{
    /// <summary>
    /// Like <c>mlContext.Model.Save</c>, but writes to a temporary file in the same folder and renames it over
    /// <paramref name="filePath"/> only when the whole model is written. If saving fails, the file that was there
    /// before is untouched and the temporary file is removed. (<c>Model.Save</c> writes in place: a failure half
    /// way leaves a truncated .zip.)
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="model">The model to save.</param>
    /// <param name="inputSchema">The schema of the data the model was trained on, as for <c>Model.Save</c>.</param>
    /// <param name="filePath">Where the model goes.</param>
    public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        AtomicFile.Write(filePath, stream => catalog.Save(model, inputSchema, stream));
    }
}
