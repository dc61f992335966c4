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
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or EntryPointNotFoundException or BadImageFormatException)
        {
            return fallbackFailure is null ? e : new AggregateException(e, fallbackFailure);
        }
    }

    private static string Explain(Exception failure)
    {
        string detail = string.Join(" ", ExceptionChain.Messages(failure));
        string diagnosis = LibTorchSharpFallback.Diagnose();
        string hint = diagnosis.Length > 0
            ? $"{diagnosis} The libstdc++ compatibility step ({LibTorchSharpFallback.Outcome}) did not make up for it; see docs/native-libraries.md for the causes and fixes."
            : "Check that the application references TorchSharp-cpu (which brings libtorch-cpu) and was built for linux-x64, win-x64 or osx-arm64; see docs/native-libraries.md.";
        // Our diagnosis first: TorchSharp's own message carries a long loading trace.
        return $"libtorch could not be loaded, so MLNet.ConvNet cannot train or score. {hint} The loader reported: {detail}";
    }
}
