using Microsoft.ML.Data;

namespace MLNet.ConvNet.Tasks;

/// <summary>One score column of a task's ONNX tail: the graph value that holds it, the column it becomes and the column's type.</summary>
internal sealed record OnnxOutput(string Value, string Column, DataViewType Type);
