using Google.Protobuf;
using Microsoft.ML;
using MLNet.ConvNet.Common;
using MLNet.ConvNet.Onnx;
using Onnx;

namespace MLNet.ConvNet;

/// <summary>
/// ONNX export that strict ONNX tools accept: ML.NET's <c>ConvertToOnnx</c>, then every dimension it writes as -1 named
/// instead. ML.NET marks a dimension it does not know (the batch) as -1, which the ONNX specification does not allow
/// (a dimension is a size of 0 or more, or a name); lenient readers such as ONNX Runtime accept it, but
/// <c>onnx.checker.check_model(full_check=True)</c> and <c>onnx.shape_inference.infer_shapes(strict_mode=True)</c>
/// reject the file where a node's shape is known, as on the slot-names node ML.NET adds for Score. The nodes, weights,
/// names and opset stay as they are; the file also records, as metadata, the network's image shape, its features input
/// and its classes (<see cref="MetadataKeys"/>), so a serving application needs nothing else.
/// </summary>
public static class StrictOnnxExport
{
    /// <summary>The name given to every dimension ML.NET leaves unknown: the number of rows in a batch.</summary>
    public const string BatchDimension = "N";

    /// <summary>Writes <paramref name="transform"/> as a strictly valid ONNX model to <paramref name="stream"/>.</summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="transform">The fitted model, as for <c>ConvertToOnnx</c>.</param>
    /// <param name="inputData">Data with the model's input schema, as for <c>ConvertToOnnx</c>.</param>
    /// <param name="stream">Where the model goes.</param>
    /// <exception cref="NotSupportedException">A step of the model cannot be exported (ML.NET's message, or the ConvNet's).</exception>
    public static void ConvertToStrictOnnx(this ModelOperationsCatalog catalog, ITransformer transform, IDataView inputData, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        catalog.ConvertToOnnx(transform, inputData, buffer);
        var model = ModelProto.Parser.ParseFrom(buffer.ToArray());
        OnnxShapes.NameUnknownDimensions(model, BatchDimension);
        if (transform.TryGetConvNet(out var convNet))
            Describe(model, convNet);
        model.WriteTo(stream);
    }

    /// <summary>The metadata keys a strict export records, so a serving application knows what to feed the network.</summary>
    public static class MetadataKeys
    {
        /// <summary>The image shape the features hold, such as <c>3x40x48</c> (channels x height x width, channel-major).</summary>
        public const string InputShape = "mlnet.convnet.input_shape";

        /// <summary>The features input's name, such as <c>Features</c>.</summary>
        public const string FeaturesInput = "mlnet.convnet.features";

        /// <summary>The class of each Score slot, one per line, in slot order.</summary>
        public const string Classes = "mlnet.convnet.classes";

        /// <summary>The architecture's registry name.</summary>
        public const string Architecture = "mlnet.convnet.architecture";

        /// <summary>The task (<see cref="ConvNetTask.Name"/>): MulticlassClassification, BinaryClassification or Regression.</summary>
        public const string Task = "mlnet.convnet.task";
    }

    private static void Describe(ModelProto model, ConvNetTransformer convNet)
    {
        void Set(string key, string value)
        {
            if (model.MetadataProps.FirstOrDefault(p => p.Key == key) is { } existing)
                model.MetadataProps.Remove(existing);
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        Set(MetadataKeys.InputShape, convNet.Model.InputShape.ToString());
        Set(MetadataKeys.FeaturesInput, convNet.FeatureColumnName);
        Set(MetadataKeys.Classes, string.Join("\n", convNet.ClassNames));
        Set(MetadataKeys.Architecture, convNet.ArchitectureName);
        Set(MetadataKeys.Task, convNet.Task.Name);
    }

    /// <summary>
    /// As <see cref="ConvertToStrictOnnx(ModelOperationsCatalog, ITransformer, IDataView, Stream)"/>, to a file written
    /// through a temporary file and a rename: a failed export leaves the file that was there before.
    /// </summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="transform">The fitted model.</param>
    /// <param name="inputData">Data with the model's input schema.</param>
    /// <param name="path">The .onnx file to write.</param>
    public static void ConvertToStrictOnnx(this ModelOperationsCatalog catalog, ITransformer transform, IDataView inputData, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream => catalog.ConvertToStrictOnnx(transform, inputData, stream));
    }
}
