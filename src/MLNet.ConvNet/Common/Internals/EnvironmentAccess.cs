using Microsoft.ML.Runtime;

namespace MLNet.ConvNet.Common.Internals;

/// <summary>The MLContext's seed and cancellation, which ML.NET keeps internal.</summary>
internal static class EnvironmentAccess
{
    /// <summary>The seed the user gave the MLContext, or null if it has none.</summary>
    public static int? SeedOf(IHostEnvironment env) => (env as IHostEnvironmentInternal)?.Seed;

    /// <summary>Throws <see cref="OperationCanceledException"/> after <c>MLContext.CancelExecution()</c>.</summary>
    public static void ThrowIfCancelled(IHost host) => host.CheckAlive();
}
