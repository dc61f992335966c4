namespace ServingApi;

/// <summary>
/// How many requests score at once (--max-concurrency, the number of cores by default): scoring is CPU-bound, so more
/// at once only makes each slower. Others wait, and a request that waits past the timeout ends with 503.
/// </summary>
public sealed class ConcurrencyGate(ServingOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrency, options.MaxConcurrency);

    public Task WaitAsync(CancellationToken cancel) => _slots.WaitAsync(cancel);

    public void Release() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
