using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tests.Model;

/// <summary>
/// The checks ML.NET runs on its own estimators, ported (our code, the same assertions): TestEstimatorCore from
/// test/Microsoft.ML.TestFramework/DataPipe/TestDataPipeBase.cs and the annotation-type checks of TestDataViewBase,
/// shared by the multiclass, binary and regression contract tests.
/// </summary>
internal static class EstimatorChecks
{
    private static readonly MLContext Ml = new(seed: 1);

    // ML.NET makes SchemaShape's factory and constructors internal (its own tests reach them through
    // InternalsVisibleTo); these tests reach them by reflection.
    internal const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    internal static SchemaShape Shape(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", Any, [typeof(DataViewSchema)]).Invoke(null, [schema]);

    internal static SchemaShape NewShape(IEnumerable<SchemaShape.Column> columns)
        => (SchemaShape)typeof(SchemaShape).GetConstructor(Any, [typeof(IEnumerable<SchemaShape.Column>)]).Invoke([columns]);

    internal static SchemaShape.Column NewColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape annotations)
        => (SchemaShape.Column)typeof(SchemaShape.Column).GetConstructor(Any, [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)])
            .Invoke([name, kind, itemType, isKey, annotations]);

    internal static void TestEstimatorCore(IEstimator<ITransformer> estimator, IDataView validFitInput, IDataView validTransformInput = null, IDataView invalidInput = null)
    {
        static void MustFail(Action action, string what)
        {
            try
            {
                action();
            }
            catch (ArgumentOutOfRangeException)
            {
                return;
            }
            catch (InvalidOperationException)
            {
                return;
            }
            Assert.Fail($"{what} must fail with ArgumentOutOfRangeException or InvalidOperationException.");
        }

        // Schema propagation of the estimator.
        var outSchemaShape = estimator.GetOutputSchema(Shape(validFitInput.Schema));
        if (validTransformInput != null)
        {
            MustFail(() => estimator.GetOutputSchema(Shape(validTransformInput.Schema)), "GetOutputSchema on data without the label");
            MustFail(() => estimator.Fit(validTransformInput), "Fit on data without the label");
        }
        if (invalidInput != null)
        {
            MustFail(() => estimator.GetOutputSchema(Shape(invalidInput.Schema)), "GetOutputSchema on invalid data");
            MustFail(() => estimator.Fit(invalidInput), "Fit on invalid data");
        }

        var transformer = estimator.Fit(validFitInput);
        using var stream = new MemoryStream();
        Ml.Model.Save(transformer, validFitInput.Schema, stream);
        stream.Position = 0;
        var loaded = Ml.Model.Load(stream, out _);

        void CheckOnData(IDataView data)
        {
            var schema = transformer.GetOutputSchema(data.Schema);
            // The loaded transformer propagates the schema the same way.
            CheckSameSchemas(schema, loaded.GetOutputSchema(data.Schema));
            var scored = transformer.Transform(data);
            var scored2 = loaded.Transform(data);
            // The transformed data has the schema that schema propagation gave.
            CheckSameSchemas(schema, scored.Schema);
            // Loaded and original transformers give the same schema and data.
            CheckSameSchemas(scored.Schema, scored2.Schema);
            CheckSameValues(scored, scored2);
            CheckAnnotationTypes(scored.Schema);
        }
        CheckOnData(validFitInput);
        if (validTransformInput != null)
            CheckOnData(validTransformInput);
        if (invalidInput != null)
        {
            MustFail(() => transformer.GetOutputSchema(invalidInput.Schema), "the transformer's GetOutputSchema on invalid data");
            MustFail(() => transformer.Transform(invalidInput), "the transformer's Transform on invalid data");
            MustFail(() => loaded.GetOutputSchema(invalidInput.Schema), "the loaded transformer's GetOutputSchema on invalid data");
            MustFail(() => loaded.Transform(invalidInput), "the loaded transformer's Transform on invalid data");
        }

        // What the estimator promised is what the transformer delivers.
        CheckSameSchemaShape(outSchemaShape, Shape(transformer.GetOutputSchema(validFitInput.Schema)));
    }

    internal static void CheckSameSchemaShape(SchemaShape promised, SchemaShape delivered)
    {
        Assert.AreEqual(promised.Count, delivered.Count, $"columns promised: {string.Join(", ", promised.Select(c => c.Name))}; delivered: {string.Join(", ", delivered.Select(c => c.Name))}");
        foreach (var (x, y) in promised.OrderBy(c => c.Name, StringComparer.Ordinal).Zip(delivered.OrderBy(c => c.Name, StringComparer.Ordinal)))
        {
            Assert.AreEqual(x.Name, y.Name);
            Assert.IsTrue(Compatible(y, x), $"Mismatch on {x.Name}, or some unexpected annotation was present: promised {Describe(x)}, delivered {Describe(y)}.");
            Assert.IsTrue(Compatible(x, y), $"Mismatch on {x.Name}, or something was promised in the annotations but not delivered: promised {Describe(x)}, delivered {Describe(y)}.");
        }
    }

    internal static bool Compatible(SchemaShape.Column column, SchemaShape.Column source)
        => (bool)typeof(SchemaShape.Column).GetMethod("IsCompatibleWith", Any).Invoke(column, [source]);

    internal static string Describe(SchemaShape.Column column)
        => $"{column.Kind} {column.ItemType}{(column.IsKey ? " key" : "")} [{string.Join(", ", column.Annotations.Select(a => a.Name))}]";

    internal static void CheckSameSchemas(DataViewSchema first, DataViewSchema second)
    {
        Assert.AreEqual(first.Count, second.Count, "column count");
        for (int i = 0; i < first.Count; i++)
        {
            Assert.AreEqual(first[i].Name, second[i].Name, $"column {i}");
            Assert.AreEqual(first[i].Type, second[i].Type, $"type of {first[i].Name}");
            Assert.AreEqual(first[i].IsHidden, second[i].IsHidden, $"hidden-ness of {first[i].Name}");
            CheckSameAnnotations(first[i], second[i]);
        }
    }

    internal static void CheckSameAnnotations(DataViewSchema.Column first, DataViewSchema.Column second)
    {
        var a = first.Annotations.Schema;
        var b = second.Annotations.Schema;
        Assert.AreEqual(string.Join(", ", a.Select(c => c.Name)), string.Join(", ", b.Select(c => c.Name)), $"annotations of {first.Name}");
        foreach (var annotation in a)
        {
            Assert.AreEqual(annotation.Type, b[annotation.Name].Type, $"type of {first.Name}'s {annotation.Name}");
            CollectionAssert.AreEqual(AnnotationValues(first, annotation.Name), AnnotationValues(second, annotation.Name), $"value of {first.Name}'s {annotation.Name}");
        }
    }

    /// <summary>An annotation's value as a list of objects (one for a scalar).</summary>
    internal static List<object> AnnotationValues(DataViewSchema.Column column, string name)
    {
        var type = column.Annotations.Schema[name].Type;
        var method = typeof(EstimatorChecks).GetMethod(type is VectorDataViewType ? nameof(VectorAnnotation) : nameof(ScalarAnnotation), BindingFlags.NonPublic | BindingFlags.Static)
            .MakeGenericMethod(type is VectorDataViewType v ? v.ItemType.RawType : type.RawType);
        return (List<object>)method.Invoke(null, [column.Annotations, name]);
    }

    internal static List<object> VectorAnnotation<T>(DataViewSchema.Annotations annotations, string name)
    {
        VBuffer<T> value = default;
        annotations.GetValue(name, ref value);
        return value.DenseValues().Select(v => (object)(v is ReadOnlyMemory<char> text ? text.ToString() : v)).ToList();
    }

    internal static List<object> ScalarAnnotation<T>(DataViewSchema.Annotations annotations, string name)
    {
        T value = default;
        annotations.GetValue(name, ref value);
        return [value is ReadOnlyMemory<char> text ? text.ToString() : value];
    }

    internal static string AnnotationText(DataViewSchema.Column column, string name) => (string)AnnotationValues(column, name).Single();

    /// <summary>ML.NET's TestDataViewBase.CheckMetadataTypes: well-known annotations have the types and sizes they promise.</summary>
    internal static void CheckAnnotationTypes(DataViewSchema schema)
    {
        foreach (var column in schema)
        {
            foreach (var annotation in column.Annotations.Schema)
            {
                switch (annotation.Name)
                {
                    case "SlotNames":
                        Assert.IsTrue(annotation.Type is VectorDataViewType { ItemType: TextDataViewType } names && column.Type is VectorDataViewType vector && names.Size == vector.Size,
                            $"{column.Name}'s SlotNames must be as many texts as the column has slots; got {annotation.Type} for {column.Type}.");
                        break;
                    case "KeyValues":
                        Assert.IsTrue(annotation.Type is VectorDataViewType keys && (column.Type is VectorDataViewType itemVector ? itemVector.ItemType : column.Type) is KeyDataViewType key && (ulong)keys.Size == key.Count,
                            $"{column.Name}'s KeyValues must be one value per key; got {annotation.Type} for {column.Type}.");
                        break;
                    case "ScoreColumnSetId":
                        Assert.IsTrue(annotation.Type is KeyDataViewType, $"{column.Name}'s ScoreColumnSetId must be a key; got {annotation.Type}.");
                        break;
                    case "ScoreColumnKind":
                    case "ScoreValueKind":
                        Assert.IsInstanceOfType<TextDataViewType>(annotation.Type, $"{column.Name}'s {annotation.Name}");
                        break;
                }
            }
        }
    }

    /// <summary>ML.NET's CheckSameValues: the same rows and values through a full cursor, a cursor per column, and a cursor set.</summary>
    internal static void CheckSameValues(IDataView first, IDataView second)
    {
        CheckSameRows(first, second, first.Schema.ToList());
        foreach (var column in first.Schema)
            CheckSameRows(first, second, [column]);
        var set = first.GetRowCursorSet(first.Schema, 2);
        long rows = 0;
        foreach (var cursor in set)
        {
            using (cursor)
            {
                while (cursor.MoveNext())
                    rows++;
            }
        }
        Assert.AreEqual(CountRows(first), rows, "a cursor set gives every row once");
    }

    internal static long CountRows(IDataView data)
    {
        using var cursor = data.GetRowCursor([]);
        long rows = 0;
        while (cursor.MoveNext())
            rows++;
        return rows;
    }

    internal static void CheckSameRows(IDataView first, IDataView second, IReadOnlyList<DataViewSchema.Column> columns)
    {
        using var a = first.GetRowCursor(columns);
        using var b = second.GetRowCursor(columns.Select(c => second.Schema[c.Name]));
        var compare = columns.Select(c => Comparer(a, b, c, second.Schema[c.Name])).ToList();
        while (a.MoveNext())
        {
            Assert.IsTrue(b.MoveNext(), "the second view ended early");
            foreach (var check in compare)
                check(a.Position);
        }
        Assert.IsFalse(b.MoveNext(), "the second view has more rows");
    }

    internal static Action<long> Comparer(DataViewRowCursor a, DataViewRowCursor b, DataViewSchema.Column columnA, DataViewSchema.Column columnB)
    {
        var method = typeof(EstimatorChecks).GetMethod(columnA.Type is VectorDataViewType ? nameof(VectorComparer) : nameof(ScalarComparer), BindingFlags.NonPublic | BindingFlags.Static)
            .MakeGenericMethod(columnA.Type is VectorDataViewType v ? v.ItemType.RawType : columnA.Type.RawType);
        return (Action<long>)method.Invoke(null, [a, b, columnA, columnB]);
    }

    internal static Action<long> VectorComparer<T>(DataViewRowCursor a, DataViewRowCursor b, DataViewSchema.Column columnA, DataViewSchema.Column columnB)
    {
        var getA = a.GetGetter<VBuffer<T>>(columnA);
        var getB = b.GetGetter<VBuffer<T>>(columnB);
        VBuffer<T> x = default, y = default;
        return row =>
        {
            getA(ref x);
            getB(ref y);
            CollectionAssert.AreEqual(x.DenseValues().ToList(), y.DenseValues().ToList(), $"row {row} of {columnA.Name}");
        };
    }

    internal static Action<long> ScalarComparer<T>(DataViewRowCursor a, DataViewRowCursor b, DataViewSchema.Column columnA, DataViewSchema.Column columnB)
    {
        var getA = a.GetGetter<T>(columnA);
        var getB = b.GetGetter<T>(columnB);
        T x = default, y = default;
        return row =>
        {
            getA(ref x);
            getB(ref y);
            Assert.AreEqual(x is ReadOnlyMemory<char> tx ? tx.ToString() : (object)x, y is ReadOnlyMemory<char> ty ? ty.ToString() : (object)y, $"row {row} of {columnA.Name}");
        };
    }
}
