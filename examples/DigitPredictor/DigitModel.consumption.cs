// Consumption code in the style Model Builder generates: input and output classes, and a prediction
// engine created once, lazily, for the saved model.
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DigitPredictor;

public partial class DigitModel
{
    /// <summary>What the model reads: the path of one image file.</summary>
    public class ModelInput
    {
        [ColumnName("ImagePath")]
        public string ImagePath { get; set; }
    }

    /// <summary>What the model returns: the digit, and one probability per digit.</summary>
    public class ModelOutput
    {
        [ColumnName("PredictedLabel")]
        public string PredictedLabel { get; set; }

        [ColumnName("Score")]
        public float[] Score { get; set; }
    }

    /// <summary>The saved model: set it before the first prediction. Defaults to models/digits.zip.</summary>
    public static string ModelPath { get; set; } = Path.Combine("models", "digits.zip");

    private static readonly Lazy<(PredictionEngine<ModelInput, ModelOutput> Engine, string[] Classes)> PredictEngine =
        new(CreatePredictEngine, isThreadSafe: true);

    /// <summary>The class name of each Score slot, in order.</summary>
    public static IReadOnlyList<string> Classes => PredictEngine.Value.Classes;

    /// <summary>Predicts the digit in one image. Single-threaded, as every PredictionEngine.</summary>
    public static ModelOutput Predict(ModelInput input) => PredictEngine.Value.Engine.Predict(input);

    private static (PredictionEngine<ModelInput, ModelOutput>, string[]) CreatePredictEngine()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(ModelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
        VBuffer<ReadOnlyMemory<char>> names = default;
        engine.OutputSchema["Score"].GetSlotNames(ref names);
        return (engine, names.DenseValues().Select(n => n.ToString()).ToArray());
    }
}
