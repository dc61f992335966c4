namespace MLNet.ConvNet;

/// <summary>Lets a callback end training after the present epoch.</summary>
public sealed class TrainingControl
{
    /// <summary>Why a callback asked to stop; null while none has.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Ends training after this epoch; the log says <paramref name="reason"/>.</summary>
    public void Stop(string reason) => StopReason ??= string.IsNullOrWhiteSpace(reason) ? "a callback asked to stop" : reason;
}
