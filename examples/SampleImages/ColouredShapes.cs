using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.SampleImages;

/// <summary>
/// A generated colour image task, for trying RGB pipelines without a download: discs and crosses in red, green and
/// blue on noisy backgrounds, six classes ("red-circle", "green-cross", ...). Two classes of one shape differ only by
/// colour and two of one colour only by shape, so a network must use both to tell all six apart. Shapes vary in
/// size, position and shade; the same seed gives the same images. A sample data set for the examples, tests and
/// benchmarks; it is not part of the MLNet.ConvNet package.
/// </summary>
public static class ColouredShapes
{
    /// <summary>The class names, in key order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["blue-circle", "blue-cross", "green-circle", "green-cross", "red-circle", "red-cross"];

    /// <summary>One generated image: its class and its pixels, channel-major (red plane, green, blue), in [0, 1].</summary>
    public sealed class Image
    {
        /// <summary>The class, one of <see cref="ClassNames"/>.</summary>
        public string Label { get; set; }

        /// <summary>channels x height x width values in [0, 1].</summary>
        public float[] Features { get; set; }
    }

    /// <summary>Generates <paramref name="count"/> images of <paramref name="shape"/> (3 channels), the classes in turn.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape does not have 3 channels and at least 8x8 pixels, or the count is not positive.</exception>
    public static IReadOnlyList<Image> Generate(int count, ImageShape shape, int seed = 1)
    {
        if (count <= 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        if (shape.Channels != 3 || shape.Height < 8 || shape.Width < 8)
            throw new ArgumentOutOfRangeException(nameof(shape), shape, $"Coloured shapes are RGB images of at least 8x8 pixels: expected 3xHxW, got {shape}.");
        var random = new Random(seed);
        var images = new List<Image>(count);
        int plane = shape.Height * shape.Width;
        for (int i = 0; i < count; i++)
        {
            int label = i % ClassNames.Count;
            int colour = label / 2; // 0 blue, 1 green, 2 red: the channel that lights up
            bool cross = label % 2 == 1;
            var pixels = new float[shape.Size];
            for (int p = 0; p < pixels.Length; p++)
                pixels[p] = (float)(random.NextDouble() * 0.35);
            double size = Math.Min(shape.Height, shape.Width) * (0.2 + 0.15 * random.NextDouble());
            double cy = size + random.NextDouble() * (shape.Height - 2 * size);
            double cx = size + random.NextDouble() * (shape.Width - 2 * size);
            float shade = (float)(0.75 + 0.25 * random.NextDouble());
            int channel = colour switch { 0 => 2, 1 => 1, _ => 0 };
            for (int y = 0; y < shape.Height; y++)
            {
                for (int x = 0; x < shape.Width; x++)
                {
                    double dy = y + 0.5 - cy, dx = x + 0.5 - cx;
                    bool inside = cross
                        ? (Math.Abs(dx) <= size / 4 && Math.Abs(dy) <= size) || (Math.Abs(dy) <= size / 4 && Math.Abs(dx) <= size)
                        : dx * dx + dy * dy <= size * size;
                    if (!inside)
                        continue;
                    for (int c = 0; c < 3; c++)
                        pixels[c * plane + y * shape.Width + x] = c == channel ? shade : (float)(random.NextDouble() * 0.15);
                }
            }
            images.Add(new Image { Label = ClassNames[label], Features = pixels });
        }
        return images;
    }

    /// <summary>
    /// The images as a data view: <c>Label</c> (text) and <c>Features</c>, a vector whose type carries the image shape,
    /// so the trainer builds its network for it with no option set.
    /// </summary>
    public static IDataView Load(MLContext mlContext, int count, ImageShape shape, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return Load(mlContext, Generate(count, shape, seed), shape);
    }

    /// <summary>
    /// <paramref name="images"/> (of <paramref name="shape"/>, as <see cref="Generate"/> gives them, changed or not) as a
    /// data view: <c>Label</c> (text) and <c>Features</c>, whose type carries the image shape.
    /// </summary>
    public static IDataView Load(MLContext mlContext, IReadOnlyList<Image> images, ImageShape shape)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(images);
        var schema = SchemaDefinition.Create(typeof(Image));
        schema[nameof(Image.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width);
        return mlContext.Data.LoadFromEnumerable(images, schema);
    }

    /// <summary>Writes the images as PNG files in the class-folder layout <see cref="ImageFolder"/> reads; returns how many.</summary>
    public static int ExportPng(IReadOnlyList<Image> images, ImageShape shape, string outputDirectory, string prefix = "shape")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        int plane = shape.Height * shape.Width;
        var bgra = new byte[plane * 4];
        for (int i = 0; i < images.Count; i++)
        {
            var pixels = images[i].Features;
            for (int p = 0; p < plane; p++)
            {
                bgra[4 * p] = ToByte(pixels[2 * plane + p]);
                bgra[4 * p + 1] = ToByte(pixels[plane + p]);
                bgra[4 * p + 2] = ToByte(pixels[p]);
                bgra[4 * p + 3] = 255;
            }
            WritePng(Path.Combine(outputDirectory, images[i].Label), $"{prefix}-{i:D5}.png", shape.Width, shape.Height, bgra);
        }
        return images.Count;
    }

    // Through a temporary name and a rename, so an interrupted export leaves no half-written image for ImageFolder to read.
    private static void WritePng(string folder, string fileName, int width, int height, byte[] bgra)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, fileName);
        string temporary = Path.Combine(folder, $".{fileName}.{Guid.NewGuid():N}.png");
        try
        {
            using (var image = MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, bgra))
                image.Save(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value * 255f), 0, 255);
}
