using OnnxServing;

namespace ServingApi;

/// <summary>
/// An .onnx file exported with ConvertToOnnx (or ConvertToStrictOnnx) of any task, scored with ONNX Runtime alone: libtorch is never
/// loaded. One InferenceSession serves every request (ONNX Runtime's sessions are thread-safe); the image is decoded and
/// turned into the network's features as ImageAnalytics would (OnnxServing's ImageClassifier and Images, compiled in).
/// </summary>
public sealed class OnnxModel : LoadedModel
{
    private readonly ImageClassifier _classifier;
    private readonly bool _invert;

    /// <exception cref="InvalidDataException">The file is not an exported classifier, or does not say its image shape.</exception>
    public OnnxModel(string path, string sha256, ServingOptions options) : base(path, sha256)
    {
        _classifier = new ImageClassifier(path, threads: 1);
        _invert = options.Invert;
    }

    public override string Engine => "ONNX Runtime";

    public override string Architecture => _classifier.Architecture ?? "unknown (the file does not record it)";

    public override string InputShape => ImageClassifier.Format(_classifier.Shape);

    public override IReadOnlyList<string> Classes => _classifier.Classes;

    /// <summary>One: the InferenceSession every request shares.</summary>
    public override int EnginesCreated => 1;

    public override Prediction Predict(byte[] image)
    {
        float[] pixels;
        try
        {
            pixels = Images.Read(image, _classifier.Shape, _invert);
        }
        catch (InvalidDataException e)
        {
            // Too large keeps its mark, so the endpoint answers 422 on either engine.
            Exception inner = e.InnerException is OnnxServing.ImageTooLargeException ? new MLNet.ConvNet.Data.ImageTooLargeException(e.Message) : e;
            throw new InvalidDataException($"The image cannot be used: {e.Message.TrimEnd('.')}.", inner);
        }
        var answer = _classifier.Classify(pixels, 1)[0];
        return _classifier.Task switch
        {
            ImageClassifier.Binary => new Prediction(answer.Class, [], []) { IsTrue = answer.IsTrue, Probability = answer.Probability, Score = answer.Score },
            ImageClassifier.Regression => new Prediction("", [], []) { Value = answer.Value },
            ImageClassifier.MultiLabel => new Prediction(answer.Class, Classes, answer.Probabilities) { Tags = answer.Tags },
            _ => FromScores(answer.Probabilities),
        };
    }

    protected override void Free() => _classifier.Dispose();
}
