using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet.Data;
using MLNet.ConvNet.Data.Internals;

namespace MLNet.ConvNet;

/// <summary>
/// Scoring images held in memory with a model of this library, as a web API does: <see cref="ForInMemoryImages"/> turns
/// a fitted or loaded model into one that takes an <see cref="MLImage"/> column named <see cref="ImageColumnName"/>
/// (decode request bytes with <see cref="ImageBytes.Decode"/>), with exactly the pixels the model would have read from a
/// file, and gives its usual Score (and PredictedLabel) columns. For a PredictionEngine, declare the input property
/// <c>[ColumnName(ImageScoring.ImageColumnName), ImageType(1, 1)] public MLImage Image</c>: ML.NET wants a size there,
/// and the model resizes whatever size comes.
/// </summary>
public static class ImageScoring
{
    /// <summary>The image column a model from <see cref="ForInMemoryImages"/> reads: the one ConvNetImageFeatures loads files into.</summary>
    public const string ImageColumnName = ImageFeatures.ImageColumnName;

    /// <summary>
    /// <paramref name="model"/> taking an image column instead of files or features. A model that reads image paths
    /// (<c>ConvNetImageFeatures</c> in front) keeps every step after loading the file; a model that reads features gets
    /// <c>ConvNetImagePixels</c> for its input shape in front (gray or RGB, resized, scaled to [0, 1]). Steps before the
    /// image is loaded (or before the network, for a features model) that need columns a request does not have, such as
    /// a label's MapValueToKey, are left out: they prepare training data.
    /// </summary>
    /// <param name="model">A model of this library, as fitted or as <c>mlContext.Model.Load</c> returns it.</param>
    /// <param name="invert">For a features model: whether to invert the pixels (dark digits on light paper). Defaults to false.</param>
    /// <exception cref="InvalidOperationException">The model holds no ConvNet transformer.</exception>
    /// <exception cref="NotSupportedException">The model loads its images with ImageAnalytics' LoadImages, or into another column than <see cref="ImageColumnName"/>.</exception>
    public static ITransformer ForInMemoryImages(this ITransformer model, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var steps = Flatten(model).ToList();
        var ml = new MLContext();
        var images = ml.Data.LoadFromEnumerable(new List<ImageRow>());
        if (steps.OfType<ImageLoadingTransformer>().Any())
        {
            throw new NotSupportedException(
                "The model loads its images with ImageAnalytics' LoadImages (it was saved before MLNet.ConvNet checked image files itself), " +
                "so it can only score files. Train it again with ConvNetImageFeatures, or score image files with it.");
        }
        int loader = steps.FindIndex(s => s is CheckedImageLoader);
        if (loader >= 0)
        {
            // The steps after loading read the loader's image column, which ConvNetImageFeatures names ImageColumnName.
            string column = ((CheckedImageLoader)steps[loader]).OutputColumn;
            if (column != ImageColumnName)
                throw new NotSupportedException($"The model loads its images into the column '{column}'; ForInMemoryImages serves models made with ConvNetImageFeatures, which use '{ImageColumnName}'.");
            return Chain(images.Schema, steps[..loader], steps[(loader + 1)..]);
        }
        var convNet = model.GetConvNet();
        var pixels = ml.Transforms.ConvNetImagePixels(convNet.Model.InputShape, ImageColumnName, convNet.FeatureColumnName, invert).Fit(images);
        int network = steps.IndexOf(convNet);
        return Chain(images.Schema, [pixels, .. steps[..network]], steps[network..]);
    }

    /// <summary>
    /// How <paramref name="model"/> decodes its images: the settings its <c>ConvNetImageFeatures</c> was given (a model
    /// saved before they were saved keeps the orientation as stored), or <see cref="ImageDecoding.Default"/> for a
    /// features model. Decode request bytes with them, <c>ImageBytes.Decode(bytes, model.ImageDecodingOf())</c>, so
    /// that a request gets the pixels a file would.
    /// </summary>
    /// <param name="model">A model of this library as fitted or loaded (not its <see cref="ForInMemoryImages"/> form, which has no loader).</param>
    public static ImageDecoding ImageDecodingOf(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Flatten(model).OfType<CheckedImageLoader>().FirstOrDefault()?.Decoding ?? ImageDecoding.Default;
    }

    /// <summary>
    /// The steps before the image (or its features) is ready, less those that need columns a request does not have (a
    /// label's MapValueToKey: training columns), then the rest, which must all apply.
    /// </summary>
    private static TransformerChain<ITransformer> Chain(DataViewSchema input, List<ITransformer> before, List<ITransformer> after)
    {
        var kept = new List<ITransformer>();
        var schema = input;
        foreach (var step in before)
        {
            try
            {
                schema = step.GetOutputSchema(schema);
                kept.Add(step);
            }
            catch (ArgumentOutOfRangeException)
            {
                // ML.NET's "column not found" or "schema mismatch": a step for training columns, not for the image.
            }
        }
        return new TransformerChain<ITransformer>([.. kept, .. after]);
    }

    /// <summary>The model's steps in order, chains within chains (a fitted ConvNetImageFeatures is one) opened up.</summary>
    private static IEnumerable<ITransformer> Flatten(ITransformer model)
        => model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    private sealed class ImageRow
    {
        [ColumnName(ImageColumnName)]
        [ImageType(1, 1)] // ML.NET needs a size here; the resize that follows takes images of any size
        public MLImage? Image { get; set; }
    }
}
