using System.Security.Cryptography;

namespace ServingApi;

/// <summary>
/// One image's prediction. A classifier's: the most probable class and every class's probability, in the model's class
/// order. A binary model's: <see cref="IsTrue"/>, its calibrated <see cref="Probability"/> and raw <see cref="Score"/>.
/// A regression's: <see cref="Value"/>. A tagger's: <see cref="Tags"/>, with every tag's probability as Scores.
/// </summary>
public sealed record Prediction(string Label, IReadOnlyList<string> Classes, float[] Scores)
{
    /// <summary>A binary model's PredictedLabel; null for the other tasks.</summary>
    public bool? IsTrue { get; init; }

    /// <summary>A binary model's calibrated probability of true.</summary>
    public float? Probability { get; init; }

    /// <summary>A binary model's raw score (log-odds).</summary>
    public float? Score { get; init; }

    /// <summary>A regression's number.</summary>
    public float? Value { get; init; }

    /// <summary>A tagger's predicted tags, in the model's tag order (Classes are its tags); null for the other tasks.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}

/// <summary>
/// A model loaded for serving, whichever its engine. Requests lease it (<see cref="TryAcquire"/>, <see cref="Release"/>);
/// once replaced it is retired, and disposed when its last request ends, so a swap never pulls a model from under a
/// request in flight.
/// </summary>
public abstract class LoadedModel
{
    private int _leases;
    private int _retired;
    private int _disposed;

    /// <param name="path">The model file.</param>
    /// <param name="sha256">Its SHA-256, from <see cref="HashOf"/> before loading it.</param>
    protected LoadedModel(string path, string sha256)
    {
        File = path;
        Sha256 = sha256;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The SHA-256 of the file at <paramref name="path"/>, as lower-case hex.</summary>
    public static string HashOf(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The model file.</summary>
    public string File { get; }

    /// <summary>The file's SHA-256: which version of it is serving.</summary>
    public string Sha256 { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>What scores: "ML.NET with libtorch (pooled PredictionEngines)" or "ONNX Runtime".</summary>
    public abstract string Engine { get; }

    public abstract string Architecture { get; }

    /// <summary>The images the network takes, channels x height x width.</summary>
    public abstract string InputShape { get; }

    public abstract IReadOnlyList<string> Classes { get; }

    /// <summary>How many scoring engines the model has made: at most --max-concurrency, however many requests came.</summary>
    public abstract int EnginesCreated { get; }

    /// <summary>Scores one image given as its file's bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a whole image; the message says what is wrong.</exception>
    public abstract Prediction Predict(byte[] image);

    /// <summary>Frees what the engine holds; called once, after the last lease of a retired model.</summary>
    protected abstract void Free();

    /// <summary>Takes a lease for one request; false when the model is retired and has no request left.</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _leases);
        if (Volatile.Read(ref _retired) == 0)
            return true;
        Release();
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) == 1)
            FreeOnce();
    }

    /// <summary>Stops handing out leases; frees the model now if no request holds it, else when the last one ends.</summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _leases) == 0)
            FreeOnce();
    }

    private void FreeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            Free();
    }

    /// <summary>The most probable class (the first on ties) with every probability.</summary>
    protected Prediction FromScores(float[] scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
                best = i;
        }
        return new Prediction(Classes[best], Classes, scores);
    }
}
