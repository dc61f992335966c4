using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Common;

/// <summary>
/// Checks the trainer's and the transformer's input columns eagerly, with ML.NET's wording for schema
/// problems, and throws <see cref="ArgumentOutOfRangeException"/> as ML.NET's own components do.
/// </summary>
internal static class SchemaChecks
{
    /// <summary>Returns the index of a features column that fits <paramref name="shape"/>.</summary>
    /// <remarks>A mismatch gets ML.NET's wording, then <paramref name="route"/> (what to do), when given.</remarks>
    public static int CheckFeatureColumn(DataViewSchema schema, string name, ImageShape shape, string purpose, string? route = null)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw Missing("feature", name, schema.Select(c => c.Name), purpose);
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != shape.Size)
            throw Mismatch("feature", name, ExpectedFeatures(shape), column.Type.ToString(), route);
        return column.Index;
    }

    /// <summary>
    /// The shape of the images in a features column, in this order: <paramref name="requested"/> (the options'), the
    /// dimensions the column's type carries (channels x height x width, or height x width for one channel, as
    /// ImageAnalytics' pixel extraction writes them), else the architecture's own shape when the sizes agree.
    /// </summary>
    public static ImageShape ResolveImageShape(DataViewSchema schema, string name, ImageShape? requested, ImageShape architectureShape, string architectureName)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw Missing("feature", name, schema.Select(c => c.Name), "train on");
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: > 0 } vector || item != NumberDataViewType.Single)
            throw Mismatch("feature", name, ExpectedFeatures(requested ?? architectureShape), column.Type.ToString(), ShapeRoute);
        var dims = vector.Dimensions;
        ImageShape? carried = dims.Length switch
        {
            3 => new ImageShape(dims[0], dims[1], dims[2]),
            2 => new ImageShape(1, dims[0], dims[1]),
            _ => null,
        };
        if (requested is { } shape)
        {
            if (shape.Size != vector.Size || (carried is { } c && c != shape))
                throw Mismatch("feature", name, $"{ExpectedFeatures(shape)}, as InputShape says", column.Type.ToString(), "Set InputShape to the images' shape, or leave it null to take the shape from the column.");
            return shape;
        }
        if (carried is { } fromColumn)
            return fromColumn;
        if (architectureShape.Size == vector.Size)
            return architectureShape;
        throw Mismatch("feature", name, ExpectedFeatures(architectureShape), column.Type.ToString(), $"{architectureShape} is {architectureName}'s own input. {ShapeRoute}");
    }

    private const string ShapeRoute =
        "To train on images of another size, set ConvNetTrainer.Options.InputShape (such as new ImageShape(1, 14, 14) for 196 values), " +
        "or make the features with mlContext.Transforms.ConvNetImageFeatures(new ImageShape(channels, height, width)), whose column carries the shape.";

    /// <summary>The type of the label column <paramref name="name"/>; each task checks it.</summary>
    public static DataViewType LabelType(DataViewSchema schema, string name)
        => (schema.GetColumnOrNull(name) ?? throw Missing("label", name, schema.Select(c => c.Name), "train on")).Type;

    /// <summary>Checks that an example weight column exists and holds one Single per row.</summary>
    public static void CheckWeightColumn(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw Missing("weight", name, schema.Select(c => c.Name), "train with");
        if (column.Type != NumberDataViewType.Single)
            throw Mismatch("weight", name, "Single", column.Type.ToString());
    }

    /// <summary>Returns the index of a text column, such as the image paths <c>ConvNetImageFeatures</c> reads.</summary>
    public static int CheckTextColumn(DataViewSchema schema, string name, string role, string purpose)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw Missing(role, name, schema.Select(c => c.Name), purpose);
        if (column.Type is not TextDataViewType)
            throw Mismatch(role, name, "String", column.Type.ToString());
        return column.Index;
    }

    /// <summary>The same check for an estimator's <see cref="SchemaShape"/>.</summary>
    public static void CheckTextShape(SchemaShape schema, string name, string role, string purpose)
    {
        var column = Find(schema, name);
        if (column.Name is null)
            throw Missing(role, name, schema.Select(c => c.Name), purpose);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw Mismatch(role, name, "String", $"{column.Kind} of {column.ItemType}");
    }

    /// <summary>The same check for an estimator's <see cref="SchemaShape"/>.</summary>
    public static void CheckWeightShape(SchemaShape schema, string name)
    {
        var weight = Find(schema, name);
        if (weight.Name is null)
            throw Missing("weight", name, schema.Select(c => c.Name), "train with");
        if (weight.Kind != SchemaShape.Column.VectorKind.Scalar || weight.ItemType != NumberDataViewType.Single)
            throw Mismatch("weight", name, "Single", $"{weight.Kind} of {weight.ItemType}");
    }

    /// <summary>The same checks for an estimator's <see cref="SchemaShape"/>.</summary>
    /// <returns>The label column, whose type the task checks.</returns>
    public static SchemaShape.Column CheckShape(SchemaShape schema, string featureName, string labelName, ImageShape shape)
    {
        var features = Find(schema, featureName);
        if (features.Name is null)
            throw Missing("feature", featureName, schema.Select(c => c.Name), "train on");
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw Mismatch("feature", featureName, ExpectedFeatures(shape), $"{features.Kind} of {features.ItemType}");
        var label = Find(schema, labelName);
        if (label.Name is null)
            throw Missing("label", labelName, schema.Select(c => c.Name), "train on");
        return label;
    }

    /// <summary>The column named <paramref name="name"/>, or the default column (whose Name is null).</summary>
    public static SchemaShape.Column Find(SchemaShape schema, string name) => schema.FirstOrDefault(c => c.Name == name);

    public static int CheckLabelType(string name, DataViewType type)
    {
        if (type is not KeyDataViewType key)
            throw Mismatch("label", name, "key type (use mlContext.Transforms.Conversion.MapValueToKey on the label first)", type.ToString());
        if (key.Count < 2 || key.Count > int.MaxValue)
            throw Mismatch("label", name, "key type with between 2 and 2,147,483,647 values", $"{type} with {key.Count} values");
        return (int)key.Count;
    }

    private static string ExpectedFeatures(ImageShape shape)
        => $"known-size vector of Single with {shape.Size} items ({shape} images)";

    /// <summary>ML.NET's schema-mismatch wording: the role, the column, what was expected and what was found.</summary>
    public static ArgumentOutOfRangeException Mismatch(string role, string name, string expected, string? got, string? route = null)
        => new("inputSchema", $"Schema mismatch for {role} column '{name}': expected {expected}, got {got}{(route is null ? "" : ". " + route)}");

    private static ArgumentOutOfRangeException Missing(string role, string name, IEnumerable<string> available, string purpose)
        => new("inputSchema", $"Could not find {role} column '{name}' to {purpose}. The data has columns: {string.Join(", ", available.Select(c => $"'{c}'"))}. Set the {role} column name in the options if yours is named differently.");
}
