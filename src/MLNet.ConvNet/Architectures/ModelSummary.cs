using System.Globalization;
using System.Text;

namespace MLNet.ConvNet.Architectures;

/// <summary>Formats a model summary in the style of Keras' <c>model.summary()</c>.</summary>
internal static class ModelSummary
{
    public static string Format(ConvNetModule model)
    {
        var culture = CultureInfo.InvariantCulture;
        var rows = model.Layers
            .Select(l => (Layer: $"{l.Name} ({l.TypeName})", Shape: "(None, " + string.Join(", ", l.OutputShape) + ")", Params: l.Parameters.ToString("N0", culture),
                Inputs: string.Join(", ", l.Inputs)))
            .ToList();
        int layerWidth = Math.Max(29, rows.Max(r => r.Layer.Length) + 2);
        int shapeWidth = Math.Max(26, rows.Max(r => r.Shape.Length) + 2);
        const int paramWidth = 12;
        // A graph (a residual join) says what each layer takes, as Keras' functional models do.
        int inputsWidth = model.IsGraph ? Math.Max(14, rows.Max(r => r.Inputs.Length) + 2) : 0;
        int width = layerWidth + shapeWidth + paramWidth + inputsWidth;

        var text = new StringBuilder();
        text.Append("Model: \"").Append(model.Architecture.Name).Append("\"\n");
        text.Append('_', width).Append('\n');
        text.Append("Layer (type)".PadRight(layerWidth)).Append("Output Shape".PadRight(shapeWidth)).Append("Param #".PadLeft(paramWidth));
        if (model.IsGraph)
            text.Append("  Connected to");
        text.Append('\n');
        text.Append('=', width).Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            text.Append(rows[i].Layer.PadRight(layerWidth)).Append(rows[i].Shape.PadRight(shapeWidth)).Append(rows[i].Params.PadLeft(paramWidth));
            if (model.IsGraph)
                text.Append("  ").Append(rows[i].Inputs);
            text.Append('\n');
            if (i < rows.Count - 1)
                text.Append('_', width).Append('\n');
        }
        text.Append('=', width).Append('\n');
        long total = model.TotalParameters;
        long trainable = model.TrainableParameters;
        text.Append("Total params: ").Append(WithSize(total, culture)).Append('\n');
        text.Append("Trainable params: ").Append(WithSize(trainable, culture)).Append('\n');
        text.Append("Non-trainable params: ").Append(WithSize(total - trainable, culture)).Append('\n');
        text.Append("Output shapes are channels-first, as TorchSharp computes them.\n");
        return text.ToString();
    }

    // Keras 3 prints the float32 size beside each count, such as "60,874 (237.79 KB)".
    private static string WithSize(long count, CultureInfo culture)
    {
        double bytes = count * 4.0;
        string size = bytes >= 1024 * 1024 ? (bytes / (1024 * 1024)).ToString("F2", culture) + " MB"
            : bytes >= 1024 ? (bytes / 1024).ToString("F2", culture) + " KB"
            : bytes.ToString("F0", culture) + " B";
        return $"{count.ToString("N0", culture)} ({size})";
    }
}
