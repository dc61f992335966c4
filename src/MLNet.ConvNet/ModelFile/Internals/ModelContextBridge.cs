using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;
using MLNet.ConvNet.Architectures;
using MLNet.ConvNet.Model;

[assembly: LoadableClass(typeof(MLNet.ConvNet.ConvNetTransformer), typeof(MLNet.ConvNet.Model.Internals.ModelContextBridge), null, typeof(SignatureLoadModel),
    "ConvNet Transformer", MLNet.ConvNet.Model.Internals.ModelContextBridge.LoaderSignature)]

namespace MLNet.ConvNet.Model.Internals;

/// <summary>
/// Connects <see cref="ConvNetTransformer"/> to ML.NET's model files: the version header, the string and
/// binary streams, and the loader ML.NET finds through <see cref="LoadableClassAttribute"/> when
/// <c>mlContext.Model.Load</c> meets our signature. The byte layout is described in Model/ModelFormat.cs.
/// </summary>
internal static class ModelContextBridge
{
    public const string LoaderSignature = "ConvNetTransformer";

    public static VersionInfo GetVersionInfo() => new(
        modelSignature: "CONVNETT",
        verWrittenCur: ModelFormat.CurrentVersion, // 0x00010001 initial; 0x00010002 validation history and final epoch; 0x00010003 feature range; 0x00010004 augmentation and settings.
        verReadableCur: ModelFormat.CurrentVersion,
        verWeCanReadBack: ModelFormat.OldestReadableVersion,
        loaderAssemblyName: typeof(ConvNetTransformer).Assembly.FullName,
        loaderSignature: LoaderSignature);

    public static void Save(ModelSaveContext ctx, ConvNetTransformer transformer)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ModelFormat.WriteHeader(ctx.Writer, ModelFormat.HeaderOf(transformer));
        SaveKeyValues(ctx, transformer.LabelColumn);
        ctx.SaveBinaryStream(ModelFormat.WeightsStreamName, writer => WeightsFormat.Write(writer, transformer.Network.SnapshotWeights()));
    }

    // Found by ML.NET's ComponentCatalog through the LoadableClass attribute above.
    private static ConvNetTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        ctx.CheckAtModel(GetVersionInfo());
        var header = ModelFormat.ReadHeader(ctx.Reader, ctx.Header.ModelVerWritten);
        var labelColumn = LoadKeyValues(env, ctx, header);
        var architecture = ModelFormat.ResolveArchitecture(header);
        var network = ConvNetModule.Create(architecture, header.InputShape, header.NumberOfClasses, seed: 0);
        try
        {
            if (!ctx.TryLoadBinaryStream(ModelFormat.WeightsStreamName, reader => network.LoadWeights(WeightsFormat.ReadFor(reader, network))))
                throw new InvalidDataException($"The model has no '{ModelFormat.WeightsStreamName}' entry; the .zip is incomplete.");
            network.eval();
            return new ConvNetTransformer(env, network, header.Columns, labelColumn, header.Training);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static void SaveKeyValues(ModelSaveContext ctx, DataViewSchema.DetachedColumn label)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        ctx.Writer.Write(keyValues.HasValue);
        if (keyValues is not { } column)
            return;
        var method = typeof(ModelContextBridge).GetMethod(nameof(SaveKeyValuesOfType), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .MakeGenericMethod(column.Type.RawType.GetGenericArguments()[0]);
        method.Invoke(null, new object[] { ctx, label, column.Type });
    }

    private static void SaveKeyValuesOfType<T>(ModelSaveContext ctx, DataViewSchema.DetachedColumn label, DataViewType type)
    {
        VBuffer<T> values = default;
        label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
        var saver = new BinarySaver(new MLContext(), new BinarySaver.Arguments());
        if (!saver.TryWriteTypeAndValue(ctx.Writer.BaseStream, type, ref values, out _))
            throw new InvalidOperationException($"The label's key values of type {type} cannot be saved; use text or numeric key values.");
    }

    private static DataViewSchema.DetachedColumn LoadKeyValues(IHostEnvironment env, ModelLoadContext ctx, ModelFormat.Header header)
    {
        var keyType = new KeyDataViewType(typeof(uint), header.NumberOfClasses);
        var annotations = new DataViewSchema.Annotations.Builder();
        if (ctx.Reader.ReadBoolean())
        {
            var saver = new BinarySaver(env, new BinarySaver.Arguments());
            if (!saver.TryLoadTypeAndValue(ctx.Reader.BaseStream, out var type, out var value) || type is not VectorDataViewType vector || vector.Size != header.NumberOfClasses)
                throw new InvalidDataException($"The model's label key values are damaged: expected a vector of {header.NumberOfClasses} values.");
            var method = typeof(ModelContextBridge).GetMethod(nameof(AddKeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
                .MakeGenericMethod(vector.ItemType.RawType);
            method.Invoke(null, new object[] { annotations, vector, value });
        }
        return new DataViewSchema.DetachedColumn(header.Columns.Label, keyType, annotations.ToAnnotations());
    }

    private static void AddKeyValues<T>(DataViewSchema.Annotations.Builder builder, VectorDataViewType type, object value)
    {
        var values = (VBuffer<T>)value;
        ValueGetter<VBuffer<T>> getter = (ref VBuffer<T> destination) => values.CopyTo(ref destination);
        builder.Add(AnnotationUtils.Kinds.KeyValues, type, getter);
    }
}
