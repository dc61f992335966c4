using MLNet.ConvNet.Layers;
using Onnx;

namespace MLNet.ConvNet;

/// <summary>
/// Networks trained on ImageNet, to fine-tune for your classes (docs/transfer-learning.md): the table
/// <see cref="All"/>, whose networks the trainer knows by name, and <see cref="FromOnnx"/>, which makes a backbone of
/// your own ONNX file (a torchvision network exported with its ImageNet weights, say). <see cref="ResNet18"/> reads
/// the ResNet18 that ML.NET's <c>DnnFeaturizeImage</c> uses, from the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (0.24.0 on ML.NET 6, 0.23.1 on ML.NET 5.0.1: the same files), which the
/// MLNet.ConvNet package does not bring (63 MB): <c>dotnet add package Microsoft.ML.DnnImageFeaturizer.ResNet18</c> in the
/// application that trains.
/// A model fine-tuned from it keeps its architecture and weights in its .zip and needs neither the package nor the file to
/// load and score.
/// </summary>
public static class PretrainedNetworks
{
    /// <summary>The name the trainer's options know the pretrained ResNet18 by: <c>Architecture = "ResNet18"</c>.</summary>
    public const string ResNet18Name = "ResNet18";

    /// <summary>The NuGet package that holds the ResNet18 weights.</summary>
    public const string ResNet18Package = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The newest package version whose files this library reads: 0.24.0, for ML.NET 6.</summary>
    public const string ResNet18PackageVersion = "0.24.0";

    /// <summary>
    /// Every package version whose files this library reads, newest first: 0.24.0 (for ML.NET 6) and 0.23.1 (for ML.NET
    /// 5.0.1) hold the same two ONNX files, byte for byte.
    /// </summary>
    public static IReadOnlyList<string> ResNet18PackageVersions { get; } = [ResNet18PackageVersion, "0.23.1"];

    private const int ImageNetSize = 224;

    /// <summary>The pretrained networks the trainer knows by name, read and registered on first use: ResNet18.</summary>
    public static IReadOnlyList<PretrainedNetwork> All { get; } =
    [
        new(ResNet18Name, $"NuGet package {ResNet18Package} ({string.Join(" or ", ResNet18PackageVersions)}): DnnImageModels/ResNet18Onnx/ResNet18.onnx and ResNetPrepOnnx/ResNetPreprocess.onnx",
            "gray repeated into RGB, times 255, RGB to BGR, minus ImageNet's mean image at 224x224 (its per-channel mean at other sizes)",
            ImageNetSize, 32, "before the file's 7x7 average pool: a global average pool, dropout and a dense softmax layer follow",
            folder => ResNet18(folder)),
    ];

    /// <summary>
    /// What torchvision's ImageNet networks expect: RGB in [0, 1] minus mean [0.485, 0.456, 0.406], over deviation
    /// [0.229, 0.224, 0.225]; gray images repeated into three channels.
    /// </summary>
    public static PixelNormalization TorchvisionImageNet => new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>
    /// What Caffe's and Keras' older ImageNet networks expect ("caffe" mode): pixels 0-255, RGB to BGR, minus ImageNet's
    /// BGR means [103.939, 116.779, 123.68], no scaling.
    /// </summary>
    public static PixelNormalization CaffeImageNet => new([103.939f, 116.779f, 123.68f], scale: 255, channelOrder: [2, 1, 0]);

    /// <summary>
    /// Your own pretrained ONNX network as a backbone to fine-tune like <see cref="ResNet18"/>: the file imported with its
    /// weights (<see cref="OnnxNetwork.Import(string, OnnxImportOptions?)"/>), cut before its own classifier (the trailing
    /// dense, flatten, dropout and global-pool layers, or at <paramref name="featureOutput"/>), with
    /// <paramref name="preprocessing"/> in front (so a saved model still takes the library's [0, 1] pixels) and a new
    /// classifier on top: a global average pool, dropout and a dense softmax layer for the label's classes. Every layer
    /// but the classifier is pretrained. Register it and name it in <see cref="ConvNetTrainer.Options.FineTuningRecipe"/>.
    /// </summary>
    /// <param name="path">The ONNX file, such as torchvision's <c>mobilenet_v2(weights="IMAGENET1K_V1")</c> exported by <c>torch.onnx.export</c>.</param>
    /// <param name="preprocessing">What the network wants done to [0, 1] RGB pixels: <see cref="TorchvisionImageNet"/>, <see cref="CaffeImageNet"/>, or your own.</param>
    /// <param name="name">The architecture's name. Defaults to null: the file's name without its extension.</param>
    /// <param name="featureOutput">The ONNX tensor whose value are the features. Defaults to null: cut before the file's classifier.</param>
    /// <param name="dropout">The dropout before the new classifier; in [0, 1). Defaults to 0.2.</param>
    /// <exception cref="ArgumentException">The preprocessing's channels are not the network's, or nothing is left once the classifier is cut off.</exception>
    /// <exception cref="NotSupportedException">The file uses an operator the import does not read; the message names it.</exception>
    public static GraphArchitecture FromOnnx(string path, PixelNormalization preprocessing, string? name = null, string? featureOutput = null, double dropout = 0.2)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        name ??= Path.GetFileNameWithoutExtension(path);
        var imported = OnnxNetwork.Import(path, new OnnxImportOptions { Name = name, Output = featureOutput, DefaultEpochs = 5 });
        if (preprocessing.Mean.Count != imported.InputShape.Channels)
            throw new ArgumentException($"The preprocessing gives {preprocessing.Mean.Count} channels, but '{Path.GetFileName(path)}' takes {imported.InputShape.Channels}.", nameof(preprocessing));
        var layers = imported.Layers.ToList();
        while (featureOutput is null && layers.Count > 0 && layers[^1] is Dense or Flatten or Dropout or GlobalAveragePooling2D { KeepDims: false })
            layers.RemoveAt(layers.Count - 1);
        if (layers.Count == 0)
            throw new ArgumentException($"'{Path.GetFileName(path)}' has no layers before its classifier; name the features in featureOutput.", nameof(path));
        layers[^1] = layers[^1].With(layers[^1].Name, layers[^1].Inputs, layers[^1].Activation == Activation.Softmax ? Activation.None : layers[^1].Activation, pretrained: true);
        var kept = layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var weights = imported.GetPretrainedWeights(imported.InputShape)!.Where(w => kept.Contains(w.Name[..w.Name.IndexOf('.', StringComparison.Ordinal)])).ToList();
        var first = preprocessing.With("preprocessing", null, Activation.None, pretrained: true);
        var network = new GraphArchitecture(name, imported.InputShape, [first, .. layers.Select(l => TakingThePreprocessed(l, "preprocessing"))], imported.DefaultEpochs, weights);
        return network.WithClassifierHead(dropout);
    }

    /// <summary>
    /// The ImageNet ResNet18 (11.2 million weights) with a new classifier: its preprocessing in front (pixels to 0-255,
    /// RGB to BGR, minus ImageNet's mean image at 224x224, else minus its per-channel mean; gray images repeated into
    /// three channels), the 17 convolutions and 4 stages of residual blocks, a global average pool, dropout and a dense
    /// softmax layer for the label's classes. Every layer but the classifier is pretrained, so training fine-tunes it
    /// (<see cref="FineTuning"/>). Images from 32x32 up; the network's own size is 224x224.
    /// </summary>
    /// <param name="modelFolder">
    /// The folder with <c>ResNet18Onnx/ResNet18.onnx</c> and <c>ResNetPrepOnnx/ResNetPreprocess.onnx</c> (the package's
    /// <c>DnnImageModels</c>). Defaults to null: the application's <c>DnnImageModels</c> folder (where the package copies
    /// them), then the user's NuGet package folder.
    /// </param>
    /// <param name="dropout">The dropout before the classifier; in [0, 1). Defaults to 0.2.</param>
    /// <exception cref="FileNotFoundException">The files are in none of those places; the message lists where it looked and how to get them.</exception>
    public static GraphArchitecture ResNet18(string? modelFolder = null, double dropout = 0.2)
    {
        string folder = FindResNet18(modelFolder);
        var backbone = OnnxNetwork.Import(Path.Combine(folder, "ResNet18Onnx", "ResNet18.onnx"), new OnnxImportOptions { Name = ResNet18Name, DefaultEpochs = 5 });
        var layers = backbone.Layers.ToList();
        // The file ends with a 7x7 average pool, global at 224x224 only; the head's global average pool serves any size.
        if (layers[^1] is AveragePooling2D { PoolSize: 7 })
            layers.RemoveAt(layers.Count - 1);
        var (channelMeans, meanImage) = ReadMeanImage(Path.Combine(folder, "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        var preprocessing = new PixelNormalization(channelMeans, scale: 255, channelOrder: [2, 1, 0])
        {
            Name = "imagenet_preprocessing",
            MeanImageSize = (ImageNetSize, ImageNetSize),
            Pretrained = true,
        };
        var weights = backbone.GetPretrainedWeights(backbone.InputShape)!.Append(new WeightTensor("imagenet_preprocessing.mean_image", [3, ImageNetSize, ImageNetSize], meanImage)).ToList();
        var network = new GraphArchitecture(ResNet18Name, new ImageShape(3, ImageNetSize, ImageNetSize), [preprocessing, .. layers.Select(l => TakingThePreprocessed(l, "imagenet_preprocessing"))], backbone.DefaultEpochs, weights);
        return network.WithClassifierHead(dropout);
    }

    /// <summary>A layer that took the images takes the preprocessed images (the layer <paramref name="preprocessing"/>) instead.</summary>
    private static LayerSpec TakingThePreprocessed(LayerSpec layer, string preprocessing)
        => layer.Inputs is { } inputs && inputs.Contains(LayerSpec.NetworkInput)
            ? layer.With(layer.Name, inputs.Select(i => i == LayerSpec.NetworkInput ? preprocessing : i).ToList(), layer.Activation, layer.Pretrained)
            : layer;

    /// <summary>
    /// The folder holding the ResNet18 files: <paramref name="modelFolder"/>, the application's DnnImageModels folder, or
    /// the package in the user's NuGet folder (NUGET_PACKAGES, else ~/.nuget/packages).
    /// </summary>
    /// <exception cref="FileNotFoundException">In none of them.</exception>
    public static string FindResNet18(string? modelFolder = null)
    {
        string nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var candidates = (modelFolder is null ? Array.Empty<string>() : [modelFolder])
            .Append(Path.Combine(AppContext.BaseDirectory, "DnnImageModels"))
            .Concat(ResNet18PackageVersions.Select(version => Path.Combine(nugetRoot, ResNet18Package.ToLowerInvariant(), version, "tools", "DnnImageModels")))
            .ToList();
        foreach (var candidate in modelFolder is null ? candidates : candidates.Take(1))
        {
            if (File.Exists(Path.Combine(candidate, "ResNet18Onnx", "ResNet18.onnx")) && File.Exists(Path.Combine(candidate, "ResNetPrepOnnx", "ResNetPreprocess.onnx")))
                return candidate;
        }
        throw new FileNotFoundException(
            $"The pretrained ResNet18 (ResNet18Onnx/ResNet18.onnx and ResNetPrepOnnx/ResNetPreprocess.onnx) is not in {string.Join(", nor in ", (modelFolder is null ? candidates : candidates.Take(1)).Select(c => $"'{c}'"))}. " +
            $"Add the package that holds it to the application: dotnet add package {ResNet18Package} (version {ResNet18PackageVersion} on ML.NET 6, 0.23.1 on ML.NET 5.0.1; it copies the files to DnnImageModels beside the application), or pass the folder that holds them.");
    }

    /// <summary>The preprocessing file's mean image ([1, 3, 224, 224], BGR) and its per-channel means.</summary>
    /// <exception cref="InvalidDataException">The file does not hold the mean image where the package's does.</exception>
    private static (float[] ChannelMeans, float[] Image) ReadMeanImage(string path)
    {
        ModelProto model;
        using (var stream = File.OpenRead(path))
            model = ModelProto.Parser.ParseFrom(stream);
        var mean = model.Graph.Initializer.FirstOrDefault(t => t.Name == "MeanImage");
        if (mean is null || !mean.Dims.SequenceEqual([1L, 3, ImageNetSize, ImageNetSize]))
            throw new InvalidDataException($"'{path}' has no MeanImage of [1, 3, {ImageNetSize}, {ImageNetSize}]; it is not the preprocessing of {ResNet18Package}.");
        var image = Onnx.Internals.OnnxTensors.Floats(mean, Path.GetFileName(path));
        int plane = ImageNetSize * ImageNetSize;
        var means = Enumerable.Range(0, 3).Select(c => (float)image.AsSpan(c * plane, plane).ToArray().Average(v => (double)v)).ToArray();
        return (means, image);
    }

    /// <summary>
    /// The architecture the options name: a registered one, or a pretrained network of <see cref="All"/> (read and
    /// registered on first use).
    /// </summary>
    /// <exception cref="ArgumentException">No architecture has that name.</exception>
    /// <exception cref="FileNotFoundException">The name is ResNet18 and its files cannot be found.</exception>
    internal static ConvNetArchitecture Resolve(string name)
    {
        if (ArchitectureRegistry.TryGet(name, out var registered))
            return registered;
        if (All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)) is { } pretrained)
        {
            ArchitectureRegistry.Register(pretrained.Create(null), replace: true);
            return ArchitectureRegistry.Get(pretrained.Name);
        }
        throw new ArgumentException(
            $"Unknown architecture '{name}'. Known architectures: {string.Join(", ", ArchitectureRegistry.Names)}; pretrained: {string.Join(", ", All.Select(n => $"{n.Name} ({n.Source})"))}. " +
            "Register your own with ArchitectureRegistry.Register.", "Architecture");
    }
}
