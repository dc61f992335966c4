using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Data.Internals;

// mlContext.Model.Load finds the loader through this attribute when it meets the LoaderSignature in a model file.
[assembly: LoadableClass(typeof(CheckedImageLoader), typeof(CheckedImageLoader), null, typeof(SignatureLoadModel),
    "ConvNet checked image loader", CheckedImageLoader.LoaderSignature)]

namespace MLNet.ConvNet.Data.Internals;

/// <summary>
/// Loads the image file named in a text column into an image column, as ImageAnalytics' <c>LoadImages</c> does (same
/// pixels), but decodes every file completely and refuses, naming the file, one that is empty, not an image, truncated
/// or damaged: <c>LoadImages</c> names no file when it cannot decode one, and silently returns the readable part of a
/// file cut short. <c>ConvNetImageFeatures</c> puts it first, so a saved model checks the images it scores too. Its
/// base class and persistence are internal to ML.NET, which is why it lives here.
/// </summary>
internal sealed class CheckedImageLoader : RowToRowTransformerBase
{
    internal const string LoaderSignature = "ConvNetImageLoader";

    // Model.key: string output column, string input column, string image folder ("" for none); from 0x00010002 on,
    // the decoding: int max side, long max pixels, bool apply orientation, byte red, green, blue of the background;
    // from 0x00010003 on, bool reduced scale, int width and height it decodes at least (0 and 0 for whole).
    private const uint WithDecoding = 0x00010002;
    private const uint WithReducedScale = 0x00010003;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "CNVIMGLD",
        verWrittenCur: WithReducedScale, // 0x00010001: initial; 0x00010002: ImageDecoding; 0x00010003: reduced scale
        verReadableCur: WithReducedScale,
        verWeCanReadBack: 0x00010001,
        loaderAssemblyName: typeof(CheckedImageLoader).Assembly.FullName,
        loaderSignature: LoaderSignature);

    public override void SaveModel(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(OutputColumn);
        ctx.Writer.Write(InputColumn);
        ctx.Writer.Write(ImageFolder ?? "");
        ctx.Writer.Write(Decoding.MaxSide);
        ctx.Writer.Write(Decoding.MaxPixels);
        ctx.Writer.Write(Decoding.ApplyOrientation);
        ctx.Writer.Write(Decoding.Background.Red);
        ctx.Writer.Write(Decoding.Background.Green);
        ctx.Writer.Write(Decoding.Background.Blue);
        ctx.Writer.Write(Decoding.ReducedScale);
        ctx.Writer.Write(Decoding.AtLeast?.Width ?? 0);
        ctx.Writer.Write(Decoding.AtLeast?.Height ?? 0);
    }

    // Found by ML.NET's ComponentCatalog through the LoadableClass attribute above.
    private static CheckedImageLoader Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ctx.CheckAtModel(GetVersionInfo());
        string output = ctx.Reader.ReadString(), input = ctx.Reader.ReadString(), folder = ctx.Reader.ReadString();
        // A model saved before the decoding was saved was trained on images as stored: it keeps decoding them so.
        var decoding = ctx.Header.ModelVerWritten < WithDecoding
            ? ImageDecoding.Legacy
            : new ImageDecoding
            {
                MaxSide = ctx.Reader.ReadInt32(),
                MaxPixels = ctx.Reader.ReadInt64(),
                ApplyOrientation = ctx.Reader.ReadBoolean(),
                Background = new ImageBackground(ctx.Reader.ReadByte(), ctx.Reader.ReadByte(), ctx.Reader.ReadByte()),
                // Saved before reduced-scale decoding existed: every image was decoded whole.
                ReducedScale = false,
            };
        if (ctx.Header.ModelVerWritten >= WithReducedScale)
        {
            bool reduced = ctx.Reader.ReadBoolean();
            int width = ctx.Reader.ReadInt32(), height = ctx.Reader.ReadInt32();
            decoding = decoding with { ReducedScale = reduced, AtLeast = width > 0 && height > 0 ? (width, height) : null };
        }
        return new CheckedImageLoader(env, output, input, folder.Length == 0 ? null : folder, decoding);
    }

    public CheckedImageLoader(IHostEnvironment env, string outputColumn, string inputColumn, string? imageFolder, ImageDecoding decoding)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(CheckedImageLoader)))
    {
        OutputColumn = outputColumn;
        InputColumn = inputColumn;
        ImageFolder = imageFolder;
        Decoding = decoding;
    }

    /// <summary>How the images are decoded: size limits, orientation, background.</summary>
    public ImageDecoding Decoding { get; }

    /// <summary>The image column written.</summary>
    public string OutputColumn { get; }

    /// <summary>The text column of image paths read.</summary>
    public string InputColumn { get; }

    /// <summary>The folder relative paths are read from; null when paths are used as they are.</summary>
    public string? ImageFolder { get; }

    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MapperBase
    {
        private readonly CheckedImageLoader _loader;
        private readonly int _input;

        public Mapper(CheckedImageLoader parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _loader = parent;
            _input = SchemaChecks.CheckTextColumn(inputSchema, parent.InputColumn, "image path", "load images from");
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
            => [new DataViewSchema.DetachedColumn(_loader.OutputColumn, new ImageDataViewType())];

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            var getPath = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[_input]);
            ReadOnlyMemory<char> text = default;
            disposer = null;
            ValueGetter<MLImage> getter = (ref MLImage value) =>
            {
                value?.Dispose();
                getPath(ref text);
                string path = text.ToString();
                if (string.IsNullOrWhiteSpace(path))
                    throw new InvalidDataException($"Row {input.Position} of column '{_loader.InputColumn}' has no image path.");
                if (_loader.ImageFolder is { } folder)
                    path = Path.Combine(folder, path);
                byte[] bytes;
                try
                {
                    bytes = File.ReadAllBytes(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // No inner exception: readers report the innermost one, and this message already holds its words.
                    throw new FileNotFoundException($"The image file '{path}' (row {input.Position} of column '{_loader.InputColumn}') cannot be read: {e.Message}", path);
                }
                if (ImageFileCheck.Decode(bytes, _loader.Decoding, out var image, out bool tooLarge) is { } problem)
                    throw ImageFileCheck.Refusal(path, problem, tooLarge);
                image!.Tag = path;
                value = image;
            };
            return getter;
        }

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
            => column => column == _input && activeOutput(0);

        public override void SaveModel(ModelSaveContext ctx) => _loader.SaveModel(ctx);
    }
}
