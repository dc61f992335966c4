using MLNet.ConvNet.Common;
using TorchSharp;

namespace MLNet.ConvNet.Native;

/// <summary>Loads libtorch once, and turns a failure into one exception that says what to do.</summary>
internal static class TorchRuntime
{
    private static readonly Lazy<Exception?> _failure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Throws <see cref="ConvNetNativeException"/> if libtorch cannot be used in this process.</summary>
    public static void EnsureLoaded()
    {
        if (_failure.Value is { } failure)
            throw new ConvNetNativeException(Explain(failure), failure);
    }

    private static Exception? TryLoad()
    {
        Exception? fallbackFailure = null;
        try
        {
            LibTorchSharpFallback.InstallIfNeeded();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException or DllNotFoundException or BadImageFormatException)
        {
            fallbackFailure = e;
        }

        try
        {
            using var probe = torch.zeros(1);
            LibTorchSwitches.TurnOffNnpack(FindLibTorch());
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or EntryPointNotFoundException or BadImageFormatException)
        {
            return fallbackFailure is null ? e : new AggregateException(e, fallbackFailure);
        }
    }

    /// <summary>The TorchSharp this process runs, such as 0.107.0; the native package must be the same version.</summary>
    public static string TorchSharpVersion { get; } = MLNetVersion.Of(typeof(torch).Assembly);

    /// <summary>What to add for libtorch, for the CPU and for an NVIDIA GPU.</summary>
    public static string AddLibTorch =>
        $"For the CPU, add TorchSharp-cpu (dotnet add package TorchSharp-cpu --version {TorchSharpVersion}); for an NVIDIA GPU, " +
        $"TorchSharp-cuda-linux or TorchSharp-cuda-windows (--version {TorchSharpVersion}) instead.";

    /// <summary>libtorch's main library where TorchSharp looks for it (beside the application, or in its runtimes folder), or null.</summary>
    private static string? FindLibTorch()
    {
        string[] names = ["libtorch_cpu.so", "torch_cpu.dll", "libtorch_cpu.dylib"];
        var directories = new List<string> { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" };
        if (Directory.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes")))
            directories.AddRange(Directory.EnumerateDirectories(Path.Combine(AppContext.BaseDirectory, "runtimes")).Select(r => Path.Combine(r, "native")));
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
            directories.AddRange(searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return directories.SelectMany(d => names.Select(n => Path.Combine(d, n))).FirstOrDefault(File.Exists);
    }

    private static string Explain(Exception failure)
    {
        string detail = string.Join(" ", ExceptionChain.Messages(failure));
        string diagnosis = LibTorchSharpFallback.Diagnose();
        string hint = diagnosis.Length > 0
            ? $"{diagnosis} The libstdc++ compatibility step ({LibTorchSharpFallback.Outcome}) did not make up for it; see docs/native-libraries.md for the causes and fixes."
            : FindLibTorch() is null
                ? $"The application has no libtorch: MLNet.ConvNet depends on TorchSharp alone, so that each application chooses its natives. {AddLibTorch} See docs/native-libraries.md."
                : $"Check that the application's libtorch matches TorchSharp {TorchSharpVersion} ({AddLibTorch}) and that it was built for linux-x64, win-x64 or osx-arm64; see docs/native-libraries.md.";
        // Our diagnosis first: TorchSharp's own message carries a long loading trace.
        return $"libtorch could not be loaded, so MLNet.ConvNet cannot train or score. {hint} The loader reported: {detail}";
    }
}
