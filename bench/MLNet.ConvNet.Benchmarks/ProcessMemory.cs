namespace MLNet.ConvNet.Benchmarks;

/// <summary>Resident memory of this process, from /proc/self/status (Linux).</summary>
internal static class ProcessMemory
{
    public static double ResidentMiB => Read("VmRSS:");

    public static double PeakResidentMiB => Read("VmHWM:");

    /// <summary>Starts a new peak: writing 5 to clear_refs resets VmHWM (Linux 4.0 and later).</summary>
    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static double Read(string key)
    {
        if (!File.Exists("/proc/self/status"))
            return double.NaN;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024;
    }
}
