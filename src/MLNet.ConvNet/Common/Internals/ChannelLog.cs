using Microsoft.ML.Runtime;

namespace MLNet.ConvNet.Common.Internals;

/// <summary>
/// Writes to an ML.NET channel, which delivers to <c>MLContext.Log</c>. ML.NET keeps its channel helpers
/// and <c>ChannelMessage</c>'s constructor internal, so the rest of the library logs through here.
/// </summary>
internal static class ChannelLog
{
    public static void Info(IChannel channel, string message) => HostExtensions.Info(channel, message);

    public static void Warning(IChannel channel, string message) => HostExtensions.Warning(channel, message);
}
