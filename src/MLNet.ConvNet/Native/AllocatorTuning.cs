using System.Runtime.InteropServices;

namespace MLNet.ConvNet.Native;

/// <summary>
/// Raises glibc's mmap and trim thresholds so that libtorch's per-batch buffers are reused from the heap instead of
/// being mapped and zeroed afresh every batch, and holds glibc to two heaps (arenas) so that those buffers, freed on
/// one thread and asked for on another, are reused rather than kept once per thread (both measured in
/// docs/benchmarks.md). The trainer applies it when training
/// starts if <c>ConvNetTrainer.Options.TuneAllocator</c> is on (the default); nothing else does. Process-wide, once;
/// Linux with glibc only; <c>MLNET_CONVNET_TUNE_ALLOCATOR=0</c> turns it off for a whole deployment.
/// </summary>
internal static class AllocatorTuning
{
    /// <summary>Set to 0 to leave glibc's allocator as it is, whatever the options say.</summary>
    public const string SwitchVariable = "MLNET_CONVNET_TUNE_ALLOCATOR";

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private const int M_ARENA_MAX = -8;
    private const int Arenas = 2;

    // glibc's ceiling for the mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX).
    private const int MmapThreshold = 32 * 1024 * 1024;
    private const int TrimThreshold = 512 * 1024 * 1024;

    private static readonly Lazy<string> _outcome = new(Tune, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Tunes the allocator, the first time only; returns what was done, for the training log.</summary>
    public static string Apply() => _outcome.Value;

    private static string Tune()
    {
        if (!OperatingSystem.IsLinux())
            return "not tuned (not Linux)";
        if (Environment.GetEnvironmentVariable(SwitchVariable) == "0")
            return $"not tuned ({SwitchVariable}=0)";
        try
        {
            bool ok = mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1 & mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1 & mallopt(M_ARENA_MAX, Arenas) == 1;
            return ok ? "glibc mmap threshold 32 MiB, trim threshold 512 MiB, 2 arenas" : "glibc refused the new thresholds";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "not tuned (no glibc mallopt)";
        }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
