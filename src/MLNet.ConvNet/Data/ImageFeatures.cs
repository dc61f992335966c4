using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace MLNet.ConvNet.Data;

/// <summary>
/// Turns image files into the features column a ConvNet reads: load (decoding each file completely, and refusing,
/// with its path, a file that is empty, not an image, truncated or damaged), then with Microsoft.ML.ImageAnalytics
/// convert to grayscale (for 1-channel architectures), resize, and extract the pixels channel-major, scaled to [0, 1]
/// exactly as <see cref="MnistDataset"/> scales IDX pixels. Every step is an ML.NET transform, so a model trained after
/// it saves it in the same .zip, predicts from an image path, and checks the images it scores.
/// </summary>
public static class ImageFeatures
{
    /// <summary>The name of the intermediate image column, dropped at the end.</summary>
    public const string ImageColumnName = "ConvNetImage";

    /// <summary>
    /// Builds the estimator chain from an image path column to a features column for <paramref name="shape"/>.
    /// </summary>
    /// <param name="transforms">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="shape">The images the network takes. Defaults to null: 1x28x28, as the built-in architectures.</param>
    /// <param name="outputColumnName">The features column to produce. Defaults to "Features".</param>
    /// <param name="imagePathColumnName">The text column with image paths. Defaults to "ImagePath".</param>
    /// <param name="imageFolder">A folder that relative paths are read from. Defaults to null: paths are used as they are.</param>
    /// <param name="invert">
    /// Whether to invert intensities (x becomes 1 - x). MNIST digits are white on black; scanned or drawn digits
    /// are usually dark on light, so set this for those. Defaults to false.
    /// </param>
    /// <param name="resizing">How to fit images of another size: stretch (Keras' default) or pad. Defaults to <see cref="ImageResizingEstimator.ResizingKind.Fill"/>.</param>
    /// <param name="decoding">
    /// How files are decoded: the largest size accepted, EXIF orientation, the background behind transparency, and
    /// whether a large JPEG decodes directly at a reduced scale that is still at least <paramref name="shape"/>'s size.
    /// Saved in the model. Defaults to null: <see cref="ImageDecoding.Default"/>.
    /// </param>
    public static IEstimator<ITransformer> ConvNetImageFeatures(this TransformsCatalog transforms,
        ImageShape? shape = null,
        string outputColumnName = "Features",
        string imagePathColumnName = "ImagePath",
        string? imageFolder = null,
        bool invert = false,
        ImageResizingEstimator.ResizingKind resizing = ImageResizingEstimator.ResizingKind.Fill,
        ImageDecoding? decoding = null)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        var size = shape ?? new ImageShape(1, 28, 28);
        // ConvNetImagePixels refuses a shape with other than 1 or 3 channels.
        // Not ImageAnalytics' LoadImages: it names no file it cannot decode, and reads a file cut short without a word.
        return Internals.CheckedImageLoadingEstimator.For(transforms, ImageColumnName, imagePathColumnName, imageFolder, (decoding ?? ImageDecoding.Default).For(size.Width, size.Height))
            .Append(ConvNetImagePixels(transforms, size, ImageColumnName, outputColumnName, invert, resizing))
            .Append(transforms.DropColumns(ImageColumnName));
    }

    /// <summary>
    /// The part of <see cref="ConvNetImageFeatures"/> after loading: from an image column (ML.NET's <c>MLImage</c>, such
    /// as one decoded from a request's bytes with <see cref="ImageBytes.Decode"/>) to the features column, with exactly
    /// the same pixels.
    /// </summary>
    /// <param name="transforms">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="shape">The images the network takes.</param>
    /// <param name="imageColumnName">The image column to read; it ends resized (and gray for one channel).</param>
    /// <param name="outputColumnName">The features column to produce. Defaults to "Features".</param>
    /// <param name="invert">Whether to invert intensities (x becomes 1 - x). Defaults to false.</param>
    /// <param name="resizing">How to fit images of another size. Defaults to <see cref="ImageResizingEstimator.ResizingKind.Fill"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The shape has other than 1 or 3 channels.</exception>
    public static IEstimator<ITransformer> ConvNetImagePixels(this TransformsCatalog transforms,
        ImageShape shape,
        string imageColumnName,
        string outputColumnName = "Features",
        bool invert = false,
        ImageResizingEstimator.ResizingKind resizing = ImageResizingEstimator.ResizingKind.Fill)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        if (shape.Channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(shape), shape, $"Images have 1 (grayscale) or 3 (RGB) channels; got {shape.Channels}.");
        // In place, as ConvNetImageFeatures always did: the image column ends resized (and gray for one channel).
        var resize = transforms.ResizeImages(imageColumnName, shape.Width, shape.Height, resizing: resizing);
        IEstimator<ITransformer> chain = shape.Channels == 1 ? transforms.ConvertToGrayscale(imageColumnName).Append(resize) : resize;
        // ExtractPixels computes (pixel - offset) * scale.
        float offset = invert ? 255f : 0f;
        float scale = invert ? -MnistDataset.PixelScale : MnistDataset.PixelScale;
        return chain.Append(transforms.ExtractPixels(outputColumnName, imageColumnName,
            colorsToExtract: shape.Channels == 1 ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb,
            orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB,
            interleavePixelColors: false,
            offsetImage: offset,
            scaleImage: scale,
            outputAsFloatArray: true));
    }
}
