using System.Globalization;

namespace ServingApi;

/// <summary>
/// The API's settings, from the command line (or any ASP.NET Core configuration source): <c>--model PATH</c> and the
/// optional limits. Checked when the app starts; a bad value stops it with a message naming the option.
/// </summary>
public sealed record ServingOptions
{
    /// <summary>The model: a .zip saved by MLNet.ConvNet (image-path or features model) or an .onnx exported with ConvertToOnnx.</summary>
    public required string Model { get; init; }

    /// <summary>The largest request body accepted, in bytes (--max-request-bytes). Defaults to 4 MiB.</summary>
    public long MaxRequestBytes { get; init; } = 4 << 20;

    /// <summary>How long a request may take, waiting for a free engine included, before it gets 503 (--timeout-seconds). Defaults to 10.</summary>
    public double TimeoutSeconds { get; init; } = 10;

    /// <summary>How many requests are scored at once (--max-concurrency); others wait. Defaults to the number of cores.</summary>
    public int MaxConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Invert the pixels before a features or ONNX model scores them (dark digits on light paper) (--invert).</summary>
    public bool Invert { get; init; }

    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it.</exception>
    public static ServingOptions From(IConfiguration configuration)
    {
        string model = configuration["model"] ?? "";
        if (string.IsNullOrWhiteSpace(model))
            throw new ArgumentException("Give the model to serve: --model PATH, a .zip saved by MLNet.ConvNet or an .onnx exported with ConvertToOnnx.");
        T Number<T>(string key, T fallback, Func<T, bool> valid, string expected) where T : IParsable<T>
        {
            string? text = configuration[key];
            if (text is null)
                return fallback;
            return T.TryParse(text, CultureInfo.InvariantCulture, out var value) && valid(value) ? value
                : throw new ArgumentException($"--{key} takes {expected}; got '{text}'.");
        }
        return new ServingOptions
        {
            Model = Path.GetFullPath(model),
            MaxRequestBytes = Number<long>("max-request-bytes", 4 << 20, v => v > 0, "a number of bytes above 0"),
            TimeoutSeconds = Number<double>("timeout-seconds", 10, v => v > 0 && double.IsFinite(v), "a number of seconds above 0"),
            MaxConcurrency = Number<int>("max-concurrency", Environment.ProcessorCount, v => v > 0, "a whole number above 0"),
            Invert = Number<bool>("invert", false, _ => true, "true or false"),
        };
    }
}
