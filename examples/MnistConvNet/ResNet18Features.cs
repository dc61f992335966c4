/// <summary>ML.NET's natural baseline features, as the tasks and tagging commands compare with: ResNet18's 512 (DnnFeaturizeImage at its 224x224).</summary>
internal static class ResNet18Features
{
    /// <summary>
    /// The training and test rows with a "ResNet18" column of every image's features (from the "Image" column),
    /// computed once and cached with <paramref name="keep"/>; and the seconds it took.
    /// </summary>
    public static (IDataView Train, IDataView Test, double Seconds) Add(MLContext ml, IDataView train, IDataView test, params string[] keep)
    {
        Console.Error.WriteLine("ResNet18 features (DnnFeaturizeImage)...");
        var featurizer = ml.Transforms.ResizeImages("Resized", 224, 224, "Image")
            .Append(ml.Transforms.ExtractPixels("Pixels", "Resized"))
            .Append(ml.Transforms.DnnFeaturizeImage("ResNet18", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"))
            .Fit(train);
        var clock = Stopwatch.StartNew();
        string[] columns = ["ResNet18", .. keep];
        var trainFeatures = ml.Data.Cache(featurizer.Transform(train), columns);
        var testFeatures = ml.Data.Cache(featurizer.Transform(test), columns);
        _ = trainFeatures.GetColumn<float[]>("ResNet18").Count() + testFeatures.GetColumn<float[]>("ResNet18").Count(); // fills both caches
        return (trainFeatures, testFeatures, clock.Elapsed.TotalSeconds);
    }
}
