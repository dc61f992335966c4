using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MLNet.ConvNet.Layers;

namespace MLNet.ConvNet.Scoring.Internals;

/// <summary>
/// What <see cref="ConvNetTransformer.Transform"/> returns: the batched scoring view, presented to ML.NET as a data
/// transform over its input that can write itself as ONNX. So <c>mlContext.Model.ConvertToOnnx</c> walks through it
/// to the transforms before it and writes the network itself: the features reshaped to images, every layer with its
/// weights as initializers, and the task's tail (the softmax as Score and the arg-max as the PredictedLabel key; a
/// binary model's Score, calibrated Probability and PredictedLabel; a regression's scaled Score). ML.NET's ONNX
/// interfaces are internal, which is why this class lives here; every read goes to the wrapped view unchanged.
/// </summary>
internal sealed class OnnxExportableScoring : ITransformCanSaveOnnx
{
    private const int OpSet = 11;
    private readonly IDataView _scored;
    private readonly ScoringModel _model;

    public OnnxExportableScoring(IDataView input, IDataView scored, ScoringModel model)
    {
        Source = input;
        _scored = scored;
        _model = model;
    }

    public IDataView Source { get; }

    public bool CanShuffle => _scored.CanShuffle;

    public DataViewSchema Schema => _scored.Schema;

    public long? GetRowCount() => _scored.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => _scored.GetRowCursor(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => _scored.GetRowCursorSet(columnsNeeded, n, rand);

    // Always true: a network that cannot export says so in SaveAsOnnx, by name, rather than being skipped silently.
    public bool CanSaveOnnx(OnnxContext ctx) => true;

    public void SaveAsOnnx(OnnxContext ctx)
    {
        string featureColumn = _model.Columns.Features;
        if (!ctx.ContainsColumn(featureColumn))
        {
            throw new NotSupportedException(
                $"The ConvNet's features column '{featureColumn}' is computed by a step that ML.NET cannot export to ONNX (such as ImageAnalytics' " +
                "LoadImages), so the network cannot be exported after it. Export the model from the features column on: train on features, or " +
                "convert a pipeline that starts at the features column, and compute the pixels in the serving application (docs/onnx.md).");
        }
        if (_model.Scorer.TestTimeAugmentation != TestTimeAugmentation.None)
        {
            throw new NotSupportedException(
                $"The model averages its scores over each image and its mirror (TestTimeAugmentation.{_model.Scorer.TestTimeAugmentation}), and the ONNX " +
                "export writes one pass of the network, whose scores would differ from the model's. Train it with TestTimeAugmentation.None to export it " +
                "(the weights do not depend on it), or serve the .zip.");
        }
        ctx.CheckOpSetVersion(OpSet, "MLNet.ConvNet");
        var graph = new Graph(ctx);
        string logits = _model.Network.ExportOnnx(graph, ctx.GetVariableName(featureColumn));

        // Each score column is an Identity of the task's value, so that ML.NET names it as the column.
        foreach (var output in _model.Task.ExportOnnx(graph, logits, _model.Outputs, _model.Columns))
        {
            string column = ctx.AddIntermediateVariable(output.Type, output.Column);
            ctx.CreateNode("Identity", output.Value, column, ctx.GetNodeName("Identity"), "");
        }
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
        => throw new NotSupportedException("Save the ConvNetTransformer (mlContext.Model.Save), not the data view it returns.");

    /// <summary><see cref="IOnnxGraph"/> over ML.NET's ONNX context.</summary>
    private sealed class Graph(OnnxContext ctx) : IOnnxGraph
    {
        public string AddNode(string opType, IReadOnlyList<string> inputs, string outputName, IReadOnlyDictionary<string, object>? attributes = null)
        {
            string output = ctx.AddIntermediateVariable(null, outputName, skip: true);
            var node = ctx.CreateNode(opType, inputs, [output], ctx.GetNodeName(opType), "");
            foreach (var (name, value) in attributes ?? new Dictionary<string, object>())
            {
                switch (value)
                {
                    case long l: node.AddAttribute(name, l); break;
                    case long[] ls: node.AddAttribute(name, ls); break;
                    case float f: node.AddAttribute(name, f); break;
                    case string s: node.AddAttribute(name, s); break;
                    default: throw new ArgumentException($"ONNX attribute '{name}' of {opType} has a value of type {value?.GetType().Name}; expected long, long[], float or string.");
                }
            }
            return output;
        }

        public string AddInitializer(float[] values, long[] dims, string name) => ctx.AddInitializer(values, dims, name);

        public string AddInitializer(long[] values, long[] dims, string name) => ctx.AddInitializer(values, dims, name);
    }
}
