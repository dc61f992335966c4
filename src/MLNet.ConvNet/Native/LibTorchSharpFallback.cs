using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MLNet.ConvNet.Common;
using TorchSharp;

namespace MLNet.ConvNet.Native;

/// <summary>
/// The run-time twin of the build step in buildTransitive/MLNet.ConvNet.targets, for applications built
/// without it (a project reference to the library's source, a tool that copies binaries by hand). Before
/// TorchSharp first loads its native library, it checks whether the copy that would load needs a libstdc++
/// version the system lacks; if so it writes a patched copy to a per-user cache (never to the application
/// folder or the NuGet cache) and points TorchSharp's P/Invokes at that copy through a DllImportResolver.
/// </summary>
internal static class LibTorchSharpFallback
{
    /// <summary>Overrides the folder that receives patched copies. Defaults to the per-user cache (<c>~/.cache/mlnet-convnet/native</c> or <c>$XDG_CACHE_HOME/mlnet-convnet/native</c>).</summary>
    public const string CacheVariable = "MLNET_CONVNET_NATIVE_CACHE";

    /// <summary>Set to 0 to turn the run-time step off. Defaults to on.</summary>
    public const string SwitchVariable = "MLNET_CONVNET_NATIVE_FALLBACK";

    private const string LibraryFile = "libLibTorchSharp.so";

    /// <summary>What happened, for the error message if libtorch still fails to load.</summary>
    public static string Outcome { get; private set; } = "not attempted";

    public static void InstallIfNeeded()
    {
        if (Environment.GetEnvironmentVariable(SwitchVariable) == "0")
        {
            Outcome = $"turned off by {SwitchVariable}=0";
            return;
        }
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Outcome = "not needed on this platform";
            return;
        }
        string? system = LibStdCxxCompat.FindSystemLibStdCxx();
        string? original = FindLibTorchSharp();
        if (system is null || original is null)
        {
            Outcome = system is null ? "no system libstdc++ found" : $"{LibraryFile} not found beside the application";
            return;
        }

        byte[] image = File.ReadAllBytes(original);
        var available = LibStdCxxCompat.ReadDefinedVersions(system);
        if (Unmet(image, original, available).Count == 0)
        {
            Outcome = $"'{original}' loads with the system libstdc++ as it is";
            return;
        }

        string patched = PatchedCopy(original, image, available);
        string directory = Path.GetDirectoryName(original)!;
        // The copy's dependencies are found through $ORIGIN, which now points at the cache: load them first
        // from the application folder, so that the loader finds them by name.
        foreach (var dependency in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            string path = Path.Combine(directory, dependency);
            if (File.Exists(path))
                NativeLibrary.Load(path);
        }
        IntPtr handle = NativeLibrary.Load(patched);
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) =>
                name is "LibTorchSharp" or "libLibTorchSharp" or LibraryFile ? handle : IntPtr.Zero);
            Outcome = $"loaded the patched copy '{patched}' of '{original}'";
        }
        catch (InvalidOperationException)
        {
            Outcome = "TorchSharp's assembly already has a native library resolver; left it in charge";
        }
    }

    /// <summary>Names the libstdc++ versions that the library beside the application needs and the system lacks, if any.</summary>
    public static string Diagnose()
    {
        try
        {
            string? system = LibStdCxxCompat.FindSystemLibStdCxx();
            string? original = FindLibTorchSharp();
            if (!OperatingSystem.IsLinux() || system is null || original is null)
                return "";
            var missing = Unmet(File.ReadAllBytes(original), original, LibStdCxxCompat.ReadDefinedVersions(system));
            return missing.Count == 0 ? "" : $"'{original}' needs {string.Join(", ", missing)}, which the system libstdc++ '{system}' lacks.";
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The libstdc++ versions the library needs, the system lacks and no patch has weakened yet.</summary>
    private static List<string> Unmet(byte[] image, string original, ICollection<string> available)
        => LibStdCxxCompat.MissingVersions(image, original, available).Where(n => !n.IsWeak).Select(n => n.Version).Distinct().ToList();

    private static string? FindLibTorchSharp()
    {
        var directories = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            AppContext.BaseDirectory,
            Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "",
        };
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
            directories.AddRange(searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return directories.Select(d => Path.Combine(d, LibraryFile)).FirstOrDefault(File.Exists);
    }

    private static string PatchedCopy(string original, byte[] image, ICollection<string> available)
    {
        string? root = Environment.GetEnvironmentVariable(CacheVariable);
        if (string.IsNullOrWhiteSpace(root))
            root = UserCache.Directory("native");
        string folder = Path.Combine(root, Convert.ToHexString(SHA256.HashData(image))[..16].ToLowerInvariant());
        string target = Path.Combine(folder, LibraryFile);
        if (File.Exists(target))
            return target;

        Directory.CreateDirectory(folder);
        // Another process may finish first; its copy is identical, and the rename replaces it whole.
        AtomicFile.Write(target, temporary =>
        {
            File.Copy(original, temporary);
            LibStdCxxCompat.PatchFile(temporary, available);
            return true;
        });
        return target;
    }
}
