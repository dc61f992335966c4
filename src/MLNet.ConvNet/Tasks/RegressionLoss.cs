namespace MLNet.ConvNet;

/// <summary>What a regression ConvNet minimises, on the label standardised by its training mean and standard deviation.</summary>
public enum RegressionLoss
{
    /// <summary>The mean squared error: the mean's estimate; an outlier pulls by the square of its error.</summary>
    Squared,

    /// <summary>Huber's loss with δ = 1 standard deviation of the label: squared for small errors, linear beyond, so outliers pull less.</summary>
    Huber,
}
