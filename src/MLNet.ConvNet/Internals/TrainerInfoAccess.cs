using Microsoft.ML;

namespace MLNet.ConvNet.Internals;

/// <summary>ML.NET keeps <see cref="TrainerInfo"/>'s constructor internal; trainers outside ML.NET build theirs here.</summary>
internal static class TrainerInfoAccess
{
    public static TrainerInfo Create(bool normalization, bool calibration, bool caching, bool supportValidation)
        => new(normalization: normalization, calibration: calibration, caching: caching, supportValid: supportValidation);
}
