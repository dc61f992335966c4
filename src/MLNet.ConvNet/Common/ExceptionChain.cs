namespace MLNet.ConvNet.Common;

/// <summary>Reads the chain of inner exceptions, for messages that name the real cause.</summary>
internal static class ExceptionChain
{
    /// <summary>The deepest cause of <paramref name="e"/>.</summary>
    public static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
            e = e.InnerException;
        return e;
    }

    /// <summary>
    /// The first line of a message: libtorch appends its C++ backtrace after it. The exception keeps the rest.
    /// </summary>
    public static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>
    /// Every distinct message from <paramref name="e"/> down, trimmed: the inner exceptions of an
    /// <see cref="AggregateException"/> in turn, and no <see cref="TypeInitializationException"/>, whose message only
    /// names the type.
    /// </summary>
    public static IReadOnlyList<string> Messages(Exception e)
    {
        var messages = new List<string>();
        void Add(Exception? x)
        {
            for (; x is not null; x = x.InnerException)
            {
                if (x is AggregateException aggregate)
                {
                    foreach (var inner in aggregate.InnerExceptions)
                        Add(inner);
                    return;
                }
                if (x is not TypeInitializationException)
                    messages.Add(x.Message.Trim());
            }
        }
        Add(e);
        return messages.Distinct().ToList();
    }
}
