using System.Globalization;

namespace MLNet.ConvNet.Common;

/// <summary>
/// The one way a setting is checked against its range, for trainer options, optimizers, schedules, augmentation and
/// layers alike: the refusal names the setting, says what it must be and ends with what it got, such as
/// <c>rho must be in [0, 1); got 1.</c>
/// </summary>
internal static class Ranges
{
    /// <summary>Returns <paramref name="value"/> when <paramref name="inRange"/>; otherwise throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    /// <param name="value">The setting's value.</param>
    /// <param name="inRange">Whether it is acceptable; a NaN must make this false.</param>
    /// <param name="name">The setting's name, as the user wrote it.</param>
    /// <param name="expected">What it must be, such as "in [0, 1)" or "at least 1".</param>
    public static T Check<T>(T value, bool inRange, string name, string expected)
        => inRange ? value : throw new ArgumentOutOfRangeException(name, value, Message(name, value, expected));

    /// <summary>The refusal's words, for readers that report rather than throw (a model file with an impossible value).</summary>
    public static string Message(string name, object? value, string expected)
        => $"{name} must be {expected}; got {Convert.ToString(value, CultureInfo.InvariantCulture)}.";
}
