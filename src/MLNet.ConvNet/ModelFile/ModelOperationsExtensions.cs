using Microsoft.ML;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet;

/// <summary>
/// Saving models so that a crash or an error never leaves a half-written file in place, and loading them with the
/// library's own exceptions rather than ML.NET's reflection wrappers.
/// </summary>
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

    /// <summary>
    /// Like <c>mlContext.Model.Load</c>, but a model the library refuses (an architecture not registered in this
    /// process, damaged or altered weights, a newer format) surfaces as the library's own exception
    /// (<see cref="InvalidOperationException"/>, <see cref="InvalidDataException"/>, <see cref="ConvNetNativeException"/>)
    /// with its message, not inside the <see cref="System.Reflection.TargetInvocationException"/>s ML.NET's loader adds.
    /// A file that is not a zip archive (another kind of file, or a truncated model) is an <see cref="InvalidDataException"/>
    /// too, where ML.NET throws a FormatException.
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="filePath">The saved model.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    public static ITransformer LoadWithClearErrors(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        try
        {
            return catalog.Load(filePath, out inputSchema);
        }
        catch (System.Reflection.TargetInvocationException e) when (ExceptionChain.Innermost(e) is InvalidOperationException or InvalidDataException or ConvNetNativeException or NotSupportedException)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ExceptionChain.Innermost(e)).Throw();
            throw; // not reached
        }
        catch (FormatException e)
        {
            // ML.NET's words for a file that is not a zip archive at all (another kind of file, or the first part of one).
            throw new InvalidDataException(
                $"'{filePath}' is not a model: expected the .zip archive that mlContext.Model.Save writes, but it cannot be opened as one " +
                $"({e.Message.TrimEnd('.')}; {new FileInfo(filePath).Length:N0} bytes). Is it truncated, or another kind of file?", e);
        }
    }
}
