using TorchSharp;

namespace MLNet.ConvNet.Native;

/// <summary>Loads libtorch once, and turns a failure into one exception that says what to do.</summary>
internal static class TorchRuntime
{
    private static readonly Lazy<Exception> _failure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Throws <see cref="ConvNetNativeException"/> if libtorch cannot be used in this process.</summary>
    public static void EnsureLoaded()
    {
        if (_failure.Value is { } failure)
            throw new ConvNetNativeException(Explain(failure), failure);
    }

    private static Exception TryLoad()
    {
        try
        {
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or EntryPointNotFoundException or BadImageFormatException)
        {
            return e;
        }
    }

    private static string Explain(Exception failure)
    {
        string detail = failure is TypeInitializationException { InnerException: { } inner } ? inner.Message : failure.Message;
        string hint = detail.Contains("GLIBCXX", StringComparison.Ordinal)
            ? "The system libstdc++ is older than the one TorchSharp was built with. MLNet.ConvNet's build step patches the copy of libLibTorchSharp.so in your build output when you build the application with the MLNet.ConvNet package (or import its buildTransitive targets); rebuild the application, and check that MLNetConvNetPatchLibTorchSharp is not set to false."
            : "Check that the application references TorchSharp-cpu (which brings libtorch-cpu) and was built for linux-x64, win-x64 or osx-arm64.";
        return $"libtorch could not be loaded, so MLNet.ConvNet cannot train or score: {detail.Trim()} {hint} See docs/native-libraries.md.";
    }
}

/// <summary>libtorch, the native library under TorchSharp, cannot be loaded or used in this process.</summary>
public sealed class ConvNetNativeException : Exception
{
    /// <summary>Creates the exception with a message that says what failed and what to do.</summary>
    public ConvNetNativeException(string message, Exception inner) : base(message, inner) { }
}
