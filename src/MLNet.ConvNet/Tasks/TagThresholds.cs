namespace MLNet.ConvNet.Tasks;

/// <summary>Each tag's threshold on its probability that gives the best F1 on held-out rows.</summary>
internal static class TagThresholds
{
    /// <summary>
    /// For each of <paramref name="tags"/> tags, the threshold whose PredictedLabels (probability above it) have the
    /// highest F1 against <paramref name="labels"/> (above 0.5 is a tag the image has); both are row after row. The
    /// threshold lies halfway between the last probability taken and the next one down. A tag no held-out image has
    /// keeps <paramref name="fallback"/>, as its F1 is 0 whatever the threshold.
    /// </summary>
    public static float[] BestF1(float[] probabilities, float[] labels, int tags, float fallback)
    {
        int rows = probabilities.Length / tags;
        var thresholds = new float[tags];
        var order = new int[rows];
        for (int tag = 0; tag < tags; tag++)
        {
            int positives = 0;
            for (int r = 0; r < rows; r++)
            {
                order[r] = r;
                if (labels[r * tags + tag] > 0.5f)
                    positives++;
            }
            if (positives == 0)
            {
                thresholds[tag] = fallback;
                continue;
            }
            int t = tag;
            Array.Sort(order, (a, b) => probabilities[b * tags + t].CompareTo(probabilities[a * tags + t]));
            // Taking the k most probable rows: F1 = 2 TP / (k + positives). Cut only between distinct probabilities.
            double best = -1;
            int bestTaken = 0, truePositives = 0;
            for (int k = 1; k <= rows; k++)
            {
                if (labels[order[k - 1] * tags + tag] > 0.5f)
                    truePositives++;
                if (k < rows && probabilities[order[k] * tags + tag] == probabilities[order[k - 1] * tags + tag])
                    continue;
                double f1 = 2.0 * truePositives / (k + positives);
                if (f1 > best)
                {
                    best = f1;
                    bestTaken = k;
                }
            }
            float last = probabilities[order[bestTaken - 1] * tags + tag];
            float next = bestTaken < rows ? probabilities[order[bestTaken] * tags + tag] : 0;
            thresholds[tag] = Math.Clamp((last + next) / 2, 0, 1);
        }
        return thresholds;
    }
}
