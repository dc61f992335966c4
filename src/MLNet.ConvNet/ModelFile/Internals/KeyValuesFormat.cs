using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;

namespace MLNet.ConvNet.ModelFile.Internals;

/// <summary>
/// The training label's key values in a model file (the last field of the header, ModelFormat.cs): a bool saying
/// whether the label has them, then ML.NET's BinarySaver type-and-value block, which is internal to ML.NET and the
/// reason this class lives here. Text and numeric key values round-trip.
/// </summary>
internal static class KeyValuesFormat
{
    public static void Write(BinaryWriter writer, DataViewSchema.DetachedColumn label)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        writer.Write(keyValues.HasValue);
        if (keyValues is not { } column)
            return;
        var method = typeof(KeyValuesFormat).GetMethod(nameof(WriteOfType), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType.GetGenericArguments()[0]);
        method.Invoke(null, [writer, label, column.Type]);
    }

    private static void WriteOfType<T>(BinaryWriter writer, DataViewSchema.DetachedColumn label, DataViewType type)
    {
        VBuffer<T> values = default;
        label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
        var saver = new BinarySaver(new MLContext(), new BinarySaver.Arguments());
        if (!saver.TryWriteTypeAndValue(writer.BaseStream, type, ref values, out _))
            throw new InvalidOperationException($"The label's key values of type {type} cannot be saved; use text or numeric key values.");
    }

    /// <summary>The label column <paramref name="name"/> of a task whose label is not a key: the file holds no key values for it.</summary>
    /// <exception cref="InvalidDataException">The file holds key values.</exception>
    public static DataViewSchema.DetachedColumn ReadPlain(BinaryReader reader, string name, DataViewType type)
    {
        if (reader.ReadBoolean())
            throw new InvalidDataException($"The model holds key values for its {type} label '{name}'; the file is corrupt.");
        return new DataViewSchema.DetachedColumn(name, type);
    }

    /// <summary>The label column <paramref name="name"/>, a key of <paramref name="classes"/> values, with the key values the file holds.</summary>
    /// <exception cref="InvalidDataException">The block is damaged or has another number of values.</exception>
    public static DataViewSchema.DetachedColumn Read(IHostEnvironment env, BinaryReader reader, string name, int classes)
    {
        var keyType = new KeyDataViewType(typeof(uint), classes);
        var annotations = new DataViewSchema.Annotations.Builder();
        if (reader.ReadBoolean())
        {
            var saver = new BinarySaver(env, new BinarySaver.Arguments());
            if (!saver.TryLoadTypeAndValue(reader.BaseStream, out var type, out var value) || type is not VectorDataViewType vector || vector.Size != classes)
                throw new InvalidDataException($"The model's label key values are damaged: expected a vector of {classes} values.");
            var method = typeof(KeyValuesFormat).GetMethod(nameof(AddKeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(vector.ItemType.RawType);
            method.Invoke(null, [annotations, vector, value]);
        }
        return new DataViewSchema.DetachedColumn(name, keyType, annotations.ToAnnotations());
    }

    private static void AddKeyValues<T>(DataViewSchema.Annotations.Builder builder, VectorDataViewType type, object value)
    {
        var values = (VBuffer<T>)value;
        ValueGetter<VBuffer<T>> getter = (ref VBuffer<T> destination) => values.CopyTo(ref destination);
        builder.Add(AnnotationUtils.Kinds.KeyValues, type, getter);
    }
}
