using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet;
using MLNet.ConvNet.Data;

namespace ServingApi;

/// <summary>
/// A .zip saved by MLNet.ConvNet, scored through pooled PredictionEngines, as Microsoft.Extensions.ML's
/// PredictionEnginePool does (that package is not on this project's feed; its pool is Microsoft.Extensions.ObjectPool):
/// a request takes an engine, scores, and gives it back, so engines are made once and never shared by two requests. The
/// image is decoded in memory (no temporary file) and the model scores it through <c>ForInMemoryImages</c>, so an
/// image-path model and a features model give exactly what they give for the same image file.
/// </summary>
public sealed class ZipModel : LoadedModel
{
    private readonly ConvNetTransformer _convNet;
    private readonly ObjectPool<Scorer> _engines;
    private readonly EnginePolicy _policy;
    private readonly ImageDecoding _decoding;

    /// <exception cref="InvalidOperationException">The model holds no ConvNet.</exception>
    /// <exception cref="InvalidDataException">The file is not a whole model.</exception>
    public ZipModel(string path, string sha256, ServingOptions options) : base(path, sha256)
    {
        var ml = new MLContext();
        var model = ml.Model.LoadWithClearErrors(path, out _);
        _convNet = model.GetConvNet();
        // The model's own decoding (size limits, EXIF orientation, background), so a request decodes as training did.
        _decoding = model.ImageDecodingOf();
        var scoring = model.ForInMemoryImages(options.Invert);
        // For a disposable item the provider's pool disposes what it holds when it is disposed, and what comes back after.
        _policy = new EnginePolicy(ml, scoring, _convNet.Task, FromScores);
        _engines = new DefaultObjectPoolProvider { MaximumRetained = options.MaxConcurrency }.Create(_policy);
        Classes = _convNet.ClassNames;
        // Make one engine now, so a model that cannot score fails here, while the old one still serves.
        _engines.Return(_engines.Get());
    }

    public override string Engine => "ML.NET with libtorch (pooled PredictionEngines)";

    public override string Architecture => _convNet.ArchitectureName;

    public override string InputShape => _convNet.Model.InputShape.ToString();

    public override IReadOnlyList<string> Classes { get; }

    public override int EnginesCreated => _policy.Created;

    public override Prediction Predict(byte[] image)
    {
        // Requests run side by side, each on one libtorch thread: --max-concurrency of them use the cores. libtorch's
        // thread count is OpenMP's, a setting of each OS thread, so it is set on the thread that scores (once per thread).
        if (TorchSharp.torch.get_num_threads() != 1)
            TorchSharp.torch.set_num_threads(1);
        using var decoded = ImageBytes.Decode(image, _decoding);
        var engine = _engines.Get();
        try
        {
            return engine.Predict(new ImageInput { Image = decoded });
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    protected override void Free()
    {
        (_engines as IDisposable)?.Dispose();
        _convNet.Dispose();
    }

    public sealed class ImageInput
    {
        [ColumnName(ImageScoring.ImageColumnName)]
        [Microsoft.ML.Transforms.Image.ImageType(1, 1)] // ML.NET wants a size; the model resizes whatever size comes
        public MLImage? Image { get; set; }
    }

    public sealed class ScoreOutput
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>A binary model's columns, as ML.NET's binary trainers name them.</summary>
    public sealed class BinaryOutput
    {
        public bool PredictedLabel { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }
    }

    /// <summary>A regression's column.</summary>
    public sealed class RegressionOutput
    {
        public float Score { get; set; }
    }

    /// <summary>A tagger's columns: each tag predicted or not, and its probability.</summary>
    public sealed class MultiLabelOutput
    {
        public bool[] PredictedLabels { get; set; } = [];

        public float[] Score { get; set; } = [];
    }

    /// <summary>One pooled PredictionEngine, of the output type the model's task gives, and how it answers.</summary>
    private sealed class Scorer(IDisposable engine, Func<ImageInput, Prediction> predict) : IDisposable
    {
        public Prediction Predict(ImageInput input) => predict(input);

        public void Dispose() => engine.Dispose();
    }

    private sealed class EnginePolicy(MLContext ml, ITransformer model, ConvNetTask task, Func<float[], Prediction> fromScores) : PooledObjectPolicy<Scorer>
    {
        private int _created;

        public int Created => Volatile.Read(ref _created);

        // OwnsTransformer = false: by default an engine disposes its model when it is disposed, and the model is shared.
        public override Scorer Create()
        {
            Interlocked.Increment(ref _created);
            var options = new PredictionEngineOptions { OwnsTransformer = false };
            switch (task)
            {
                case BinaryClassificationTask:
                    var binary = ml.Model.CreatePredictionEngine<ImageInput, BinaryOutput>(model, options);
                    return new Scorer(binary, input =>
                    {
                        var output = binary.Predict(input);
                        return new Prediction(output.PredictedLabel ? "true" : "false", [], []) { IsTrue = output.PredictedLabel, Probability = output.Probability, Score = output.Score };
                    });
                case RegressionTask:
                    var regression = ml.Model.CreatePredictionEngine<ImageInput, RegressionOutput>(model, options);
                    return new Scorer(regression, input => new Prediction("", [], []) { Value = regression.Predict(input).Score });
                case MultiLabelClassificationTask tagger:
                    var tags = ml.Model.CreatePredictionEngine<ImageInput, MultiLabelOutput>(model, options);
                    return new Scorer(tags, input =>
                    {
                        var output = tags.Predict(input);
                        var predicted = tagger.TagNames.Where((_, i) => output.PredictedLabels[i]).ToArray();
                        return new Prediction(string.Join(",", predicted), tagger.TagNames, output.Score) { Tags = predicted };
                    });
                default:
                    var classes = ml.Model.CreatePredictionEngine<ImageInput, ScoreOutput>(model, options);
                    return new Scorer(classes, input => fromScores(classes.Predict(input).Score));
            }
        }

        public override bool Return(Scorer engine) => true;
    }
}
