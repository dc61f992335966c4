using System.Runtime.InteropServices;

namespace MLNet.ConvNet.Native;

/// <summary>
/// Turns off libtorch's NNPACK convolutions on x86-64, once, right after libtorch loads. On x86-64 libtorch computes
/// float convolutions with oneDNN and would choose NNPACK only for a few inference-only shapes; but on CPUs where
/// NNPACK cannot start (this project's AMD EPYC among them) every check for it prints
/// <c>Could not initialize NNPACK! Reason: Unsupported hardware.</c> to standard error, several times per process,
/// which users read as a failure and which the library must not write. TorchSharp exposes no switch for it, so this
/// calls libtorch's own <c>at::globalContext().setUserEnabledNNPACK(false)</c>, found by its Itanium C++ name in
/// libtorch_cpu (Linux; macOS too, untested). With NNPACK off, those few shapes go to libtorch's portable kernels.
/// Elsewhere (ARM, where NNPACK is libtorch's fast path, and Windows, whose C++ names differ) nothing is changed.
/// <c>MLNET_CONVNET_NNPACK=1</c> leaves NNPACK as libtorch set it.
/// </summary>
internal static class LibTorchSwitches
{
    /// <summary>Set to 1 to leave libtorch's NNPACK switch alone.</summary>
    public const string NnpackVariable = "MLNET_CONVNET_NNPACK";

    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabledNnpack = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private const string UserEnabledNnpack = "_ZNK2at7Context17userEnabledNNPACKEv";

    /// <summary>What was done, for the training log; set by <see cref="TurnOffNnpack"/>.</summary>
    public static string NnpackOutcome { get; private set; } = "NNPACK left as libtorch set it (libtorch not loaded yet)";

    /// <summary>Turns NNPACK off where that is the right thing (see the class); libtorch must be loaded.</summary>
    /// <param name="libTorch">The path of libtorch_cpu, or null to look it up by name among the loaded libraries.</param>
    public static void TurnOffNnpack(string? libTorch)
    {
        NnpackOutcome = Decide(libTorch);
    }

    /// <summary>Whether libtorch's NNPACK switch is on, or null where it cannot be read.</summary>
    public static bool? NnpackEnabled(string? libTorch)
    {
        if (!TryContext(libTorch, out var handle, out var context) || !NativeLibrary.TryGetExport(handle, UserEnabledNnpack, out var read))
            return null;
        return Marshal.GetDelegateForFunctionPointer<ReadFlag>(read)(context) != 0;
    }

    /// <summary>Sets libtorch's NNPACK switch directly, for tests that check it is read back.</summary>
    internal static void SetNnpackForTests(bool enabled) => TrySetNnpack(null, enabled);

    private static string Decide(string? libTorch)
    {
        if (Environment.GetEnvironmentVariable(NnpackVariable) == "1")
            return $"NNPACK left as libtorch set it ({NnpackVariable}=1)";
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || OperatingSystem.IsWindows())
            return "NNPACK left as libtorch set it (not x86-64 Linux or macOS)";
        return TrySetNnpack(libTorch, false)
            ? "NNPACK off (x86-64: oneDNN computes the convolutions)"
            : "NNPACK left as libtorch set it (libtorch_cpu exports no switch for it)";
    }

    private static bool TrySetNnpack(string? libTorch, bool enabled)
    {
        if (!TryContext(libTorch, out var handle, out var context) || !NativeLibrary.TryGetExport(handle, SetUserEnabledNnpack, out var set))
            return false;
        Marshal.GetDelegateForFunctionPointer<SetFlag>(set)(context, enabled ? (byte)1 : (byte)0);
        return true;
    }

    private static bool TryContext(string? libTorch, out IntPtr handle, out IntPtr context)
    {
        context = IntPtr.Zero;
        bool loaded = libTorch is not null && NativeLibrary.TryLoad(libTorch, out handle)
            || NativeLibrary.TryLoad(OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so", out handle);
        if (!loaded || !NativeLibrary.TryGetExport(handle, GlobalContext, out var get))
            return false;
        context = Marshal.GetDelegateForFunctionPointer<GetContext>(get)();
        return context != IntPtr.Zero;
    }

    // at::Context& at::globalContext(); void at::Context::setUserEnabledNNPACK(bool); bool at::Context::userEnabledNNPACK() const.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlag(IntPtr context, byte value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte ReadFlag(IntPtr context);
}
