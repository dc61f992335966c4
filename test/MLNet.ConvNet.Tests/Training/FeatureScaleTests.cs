using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests.Training;

/// <summary>Unscaled pixels (0..255) get one warning when training, and a model scored on another scale than it learned says so.</summary>
[TestClass]
public sealed class FeatureScaleTests
{
    private static IDataView Mnist(MLContext ml, MnistSplit split, int rows, bool raw)
    {
        var data = GeneratedDigits.Generate(rows, split == MnistSplit.Train ? 1 : 2);
        var list = Enumerable.Range(0, rows).Select(i => new Digit
        {
            Label = data.Labels[i],
            Features = data.Images.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => raw ? p : p * MnistDataset.PixelScale).ToArray(),
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(Digit));
        schema[nameof(Digit.Label)].ColumnType = new KeyDataViewType(typeof(uint), 10);
        return ml.Data.LoadFromEnumerable(list, schema);
    }

    private static List<string> Warnings(MLContext ml)
    {
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        return warnings;
    }

    [TestMethod]
    public void RawBytes_AreTrainedOn_WithOneWarningThatSaysTheRangeAndTheFix_AndTheModelRemembersThem()
    {
        var ml = new MLContext(1);
        var warnings = Warnings(ml);
        using var model = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(Mnist(ml, MnistSplit.Train, 256, raw: true));
        Assert.AreEqual(1, warnings.Count(w => w.Contains("The features in 'Features' range from 0 to 255; the networks and their recipe expect pixels scaled to [0, 1]")), string.Join("\n", warnings));
        Assert.AreEqual(new FeatureRange(0, 255), model.Model.TrainingFeatureRange);

        using var file = new MemoryStream();
        ml.Model.Save(model, null, file);
        file.Position = 0;
        Assert.AreEqual(new FeatureRange(0, 255), ((ConvNetTransformer)ml.Model.Load(file, out _)).Model.TrainingFeatureRange);
    }

    [TestMethod]
    public void ScoringOnAnotherScale_WarnsOncePerTransform_AndTheSameScaleDoesNot()
    {
        var ml = new MLContext(1);
        var warnings = Warnings(ml);
        using var raw = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(Mnist(ml, MnistSplit.Train, 256, raw: true));
        warnings.Clear();

        var scaled = raw.Transform(Mnist(ml, MnistSplit.Test, 600, raw: false));
        _ = scaled.GetColumn<float[]>("Score").Count();
        _ = scaled.GetColumn<float[]>("Score").Count();
        Assert.AreEqual(1, warnings.Count(w => w.Contains("it learned raw pixel values, and these look scaled to [0, 1]")), string.Join("\n", warnings));

        _ = raw.Transform(Mnist(ml, MnistSplit.Test, 100, raw: true)).GetColumn<float[]>("Score").Count();
        Assert.AreEqual(1, warnings.Count, "the training scale scores without a warning");

        using var normal = ml.MulticlassClassification.Trainers.ConvNet(epochs: 1).Fit(Mnist(ml, MnistSplit.Train, 256, raw: false));
        Assert.AreEqual(1, warnings.Count, "scaled pixels train without a warning");
        _ = normal.Transform(Mnist(ml, MnistSplit.Test, 100, raw: true)).GetColumn<float[]>("Score").Count();
        Assert.AreEqual(1, warnings.Count(w => w.Contains("it learned pixels scaled to [0, 1], and these look like raw bytes")), string.Join("\n", warnings));
    }

    private sealed class Digit
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; }
    }
}
