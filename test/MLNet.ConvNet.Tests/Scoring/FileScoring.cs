using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MLNet.ConvNet.Tests.Scoring;

/// <summary>
/// What the library's own PredictionEngine gives for image files and for the same images decoded in memory: the
/// reference that in-memory scoring and the serving API are held to.
/// </summary>
internal static class FileScoring
{
    /// <summary>Each file scored by path, one at a time, through a PredictionEngine of <paramref name="model"/>.</summary>
    public static List<T> ScoreFiles<T>(ITransformer model, IEnumerable<string> paths) where T : Scored, new()
    {
        var ml = new MLContext(seed: 1);
        // The engine must not dispose the model when it is disposed (ML.NET's default): the caller goes on using it.
        using var engine = ml.Model.CreatePredictionEngine<FileRow, T>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return paths.Select(path => engine.Predict(new FileRow { ImagePath = path })).ToList();
    }

    /// <summary>Each file's bytes decoded in memory and scored one at a time by a PredictionEngine, as a web API does.</summary>
    public static List<T> ScoreInMemory<T>(ITransformer model, IEnumerable<string> paths) where T : Scored, new()
    {
        var ml = new MLContext(seed: 1);
        using var engine = ml.Model.CreatePredictionEngine<Request, T>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var results = new List<T>();
        foreach (string path in paths)
        {
            using var image = ImageBytes.Decode(File.ReadAllBytes(path));
            results.Add(engine.Predict(new Request { Image = image }));
        }
        return results;
    }

    /// <summary>A model read back from its saved bytes, as a server loads it.</summary>
    public static ITransformer SaveAndLoad(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        stream.Position = 0;
        return ml.Model.Load(stream, out _);
    }

    public class Scored
    {
        public float[] Score { get; set; }
    }

    public sealed class Labelled : Scored
    {
        public string PredictedLabel { get; set; }
    }

    private sealed class FileRow
    {
        public string ImagePath { get; set; }

        /// <summary>For models with the label's MapValueToKey in front, as ML.NET's input classes carry it.</summary>
        public string Label { get; set; } = "";
    }

    private sealed class Request
    {
        [ColumnName(ImageScoring.ImageColumnName)]
        [ImageType(1, 1)]
        public MLImage Image { get; set; }
    }
}
