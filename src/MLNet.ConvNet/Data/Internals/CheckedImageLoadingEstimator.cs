using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet.Common;

namespace MLNet.ConvNet.Data.Internals;

/// <summary>The estimator behind <see cref="CheckedImageLoader"/>: nothing to learn, so Fit only checks the input column.</summary>
internal sealed class CheckedImageLoadingEstimator(IHostEnvironment env, string outputColumn, string inputColumn, string? imageFolder, ImageDecoding decoding) : IEstimator<CheckedImageLoader>
{
    /// <summary>The estimator in the environment behind <paramref name="catalog"/>, as ML.NET's own catalog extensions reach it.</summary>
    public static CheckedImageLoadingEstimator For(TransformsCatalog catalog, string outputColumn, string inputColumn, string? imageFolder, ImageDecoding decoding)
        => new(((IInternalCatalog)catalog).Environment, outputColumn, inputColumn, imageFolder, decoding);

    public CheckedImageLoader Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        SchemaChecks.CheckTextColumn(input.Schema, inputColumn, "image path", "load images from");
        return new CheckedImageLoader(env, outputColumn, inputColumn, imageFolder, decoding);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.CheckTextShape(inputSchema, inputColumn, "image path", "load images from");
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[outputColumn] = new SchemaShape.Column(outputColumn, SchemaShape.Column.VectorKind.Scalar, new ImageDataViewType(), false);
        return new SchemaShape(columns.Values);
    }
}
