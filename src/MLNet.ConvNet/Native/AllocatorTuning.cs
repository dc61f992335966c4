using System.Runtime.InteropServices;

namespace MLNet.ConvNet.Native;

/// <summary>
/// Keeps glibc from handing libtorch's large buffers back to the kernel after every batch. By default glibc
/// serves allocations above a (dynamic) threshold with fresh mmap calls and trims the heap eagerly, so every
/// batch pays for new zeroed pages; measured on a 2-core machine this cost training 30-45%. Raising the mmap
/// and trim thresholds once, at start-up, keeps those buffers in the heap for reuse. Process-wide; Linux with
/// glibc only; turned off with <c>MLNET_CONVNET_TUNE_ALLOCATOR=0</c>.
/// </summary>
internal static class AllocatorTuning
{
    /// <summary>Set to 0 to leave glibc's allocator as it is.</summary>
    public const string SwitchVariable = "MLNET_CONVNET_TUNE_ALLOCATOR";

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;

    // glibc's ceiling for the mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX).
    private const int MmapThreshold = 32 * 1024 * 1024;
    private const int TrimThreshold = 512 * 1024 * 1024;

    /// <summary>What was done, for the training log.</summary>
    public static string Outcome { get; private set; } = "not applied";

    public static void Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            Outcome = "not applied (not Linux)";
            return;
        }
        if (Environment.GetEnvironmentVariable(SwitchVariable) == "0")
        {
            Outcome = $"turned off by {SwitchVariable}=0";
            return;
        }
        try
        {
            bool ok = mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1 & mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
            Outcome = ok ? "glibc mmap threshold 32 MiB, trim threshold 512 MiB" : "glibc refused the new thresholds";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Outcome = "not applied (no glibc mallopt)";
        }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
