namespace MLNet.ConvNet.Tasks;

/// <summary>
/// Platt's sigmoid calibration, P = 1 / (1 + exp(-(a s + b))), fitted to scores and 0/1 labels by Newton's method on the
/// log-loss with Platt's smoothed targets ((positives + 1) / (positives + 2) and 1 / (negatives + 2)), with the
/// backtracking line search of Lin, Lin and Weng's "A note on Platt's probabilistic outputs" (2007).
/// </summary>
internal static class PlattCalibration
{
    private const int MaxIterations = 100;

    /// <summary>The slope and offset; (1, 0) when there are no scores or only one class.</summary>
    public static (double Slope, double Offset) Fit(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        double positives = 0;
        foreach (float l in labels)
            positives += l > 0.5f ? 1 : 0;
        double negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
            return (1, 0);
        double high = (positives + 1) / (positives + 2), low = 1 / (negatives + 2);
        var targets = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            targets[i] = labels[i] > 0.5f ? high : low;

        double a = 1, b = 0;
        double loss = Loss(scores, targets, a, b);
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            // Gradient and Hessian of the log-loss in (a, b), with a small ridge for a flat Hessian.
            double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
            for (int i = 0; i < scores.Length; i++)
            {
                double p = Sigmoid(a * scores[i] + b), d = p - targets[i], w = p * (1 - p);
                ga += d * scores[i];
                gb += d;
                haa += w * scores[i] * scores[i];
                hab += w * scores[i];
                hbb += w;
            }
            if (Math.Abs(ga) < 1e-7 && Math.Abs(gb) < 1e-7)
                break;
            double det = haa * hbb - hab * hab;
            double da = -(hbb * ga - hab * gb) / det, db = -(-hab * ga + haa * gb) / det;
            double step = 1, slope = ga * da + gb * db;
            while (step >= 1e-10)
            {
                double next = Loss(scores, targets, a + step * da, b + step * db);
                if (next < loss + 1e-4 * step * slope)
                {
                    a += step * da;
                    b += step * db;
                    loss = next;
                    break;
                }
                step /= 2;
            }
            if (step < 1e-10)
                break;
        }
        return double.IsFinite(a) && double.IsFinite(b) ? (a, b) : (1, 0);
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    // The log-loss, computed without overflow for large margins.
    private static double Loss(ReadOnlySpan<float> scores, double[] targets, double a, double b)
    {
        double sum = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            double z = a * scores[i] + b;
            // -[t log p + (1 - t) log(1 - p)] with p = sigmoid(z) is log(1 + e^z) - t z.
            sum += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - targets[i] * z;
        }
        return sum;
    }
}
