using Microsoft.ML;

namespace MLNet.ConvNet;

/// <summary>Finding the ConvNet in a fitted pipeline: for a warm start, its <c>Model</c>, its history or an export.</summary>
public static class ConvNetTransformerExtensions
{
    /// <summary>
    /// The <see cref="ConvNetTransformer"/> in <paramref name="model"/>: the model itself, or the one in a chain that
    /// <c>pipeline.Fit</c> or <c>mlContext.Model.Load</c> returned (chains within chains included), such as
    /// <c>var convNet = model.GetConvNet(); trainer.Fit(moreData, convNet.Model);</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model holds no ConvNet transformer, or more than one.</exception>
    public static ConvNetTransformer GetConvNet(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = All(model).ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new InvalidOperationException($"The model ({Describe(model)}) holds no ConvNetTransformer: it was not trained with mlContext.MulticlassClassification.Trainers.ConvNet."),
            _ => throw new InvalidOperationException($"The model holds {found.Count} ConvNetTransformers; walk its chain (it is an IEnumerable<ITransformer>) to pick one."),
        };
    }

    /// <summary>Whether <paramref name="model"/> holds exactly one <see cref="ConvNetTransformer"/>, and which.</summary>
    public static bool TryGetConvNet(this ITransformer model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConvNetTransformer? convNet)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = All(model).Take(2).ToList();
        convNet = found.Count == 1 ? found[0] : null;
        return convNet is not null;
    }

    private static IEnumerable<ConvNetTransformer> All(ITransformer model) => model switch
    {
        ConvNetTransformer convNet => [convNet],
        IEnumerable<ITransformer> chain => chain.SelectMany(All),
        _ => [],
    };

    private static string Describe(ITransformer model)
        => model is IEnumerable<ITransformer> chain ? $"a chain of {string.Join(", ", chain.Select(t => t.GetType().Name))}" : model.GetType().Name;
}
