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
        public string ImagePath { get; set; } = "";
    }

    /// <summary>What the model returns: the digit, and one probability per digit.</summary>
    public class ModelOutput
    {
        [ColumnName("PredictedLabel")]
        public string PredictedLabel { get; set; } = "";

        [ColumnName("Score")]
        public float[] Score { get; set; } = [];
    }

    /// <summary>The saved model: set it before the first prediction. Defaults to models/digits.zip.</summary>
    public static string ModelPath { get; set; } = Path.Combine("models", "digits.zip");

    private static readonly Lazy<(PredictionEngine<ModelInput, ModelOutput> Engine, string[] Classes)> PredictEngine =
        new(CreatePredictEngine, isThreadSafe: true);

    /// <summary>
    /// Why the saved model cannot predict from an image path (it was trained on features, say), or null when it can.
    /// Loads the model.
    /// </summary>
    public static string? ProblemWithModel()
    {
        var ml = new MLContext();
        ml.Model.Load(ModelPath, out var inputSchema);
        if (inputSchema.GetColumnOrNull("ImagePath") is { Type: TextDataViewType })
            return null;
        return $"the model '{ModelPath}' takes {string.Join(", ", inputSchema.Select(c => $"'{c.Name}' ({c.Type})"))}, not an image path: " +
            "it was trained on pixel features (as the main example's simpleconvnet.zip and lenot.zip, which read MNIST's 784 pixels). " +
            "Give a model trained from image files, with ml.Transforms.ConvNetImageFeatures() in front of the trainer: " +
            "dotnet run --project examples/MnistConvNet -c Release -- images --data ../shared/data/mnist saves models/digits.zip.";
    }

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
