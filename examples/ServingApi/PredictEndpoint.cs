using System.Text.Json;
using MLNet.ConvNet.Data;
using Microsoft.Net.Http.Headers;

namespace ServingApi;

/// <summary>
/// POST /predict: one image, as its file's bytes (Content-Type image/png or image/jpeg) or as Model Builder's JSON
/// (<c>{"ImageSource": "&lt;base64&gt;"}</c>); answers <c>{"label": ..., "scores": {class: probability, ...}}</c>. Every
/// refusal is a 4xx with <c>{"error": ...}</c> naming the problem: 415 for another content type, 413 for a body over the
/// limit, 422 for an image whose header declares more pixels than the model decodes (refused before decoding), 400 for
/// an empty body, bad JSON or bytes that are not a whole image.
/// </summary>
public static class PredictEndpoint
{
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/jpg"];

    public static async Task<IResult> Handle(HttpContext context, ModelHost host, ServingOptions options, ConcurrencyGate gate)
    {
        var request = context.Request;
        var cancel = context.RequestAborted;
        string mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() ?? "" : "";
        bool json = mediaType == "application/json";
        if (!json && !ImageTypes.Contains(mediaType))
            return Error(StatusCodes.Status415UnsupportedMediaType, $"Send one image as image/png or image/jpeg, or Model Builder's JSON {{\"ImageSource\": \"<base64>\"}} as application/json; got Content-Type '{request.ContentType ?? "(none)"}'.");
        if (request.ContentLength > options.MaxRequestBytes)
            return TooLarge(request.ContentLength.Value, options);

        byte[] body;
        try
        {
            body = await ReadAtMost(request.Body, options.MaxRequestBytes, cancel);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(null, options);
        }
        if (body.Length > options.MaxRequestBytes)
            return TooLarge(null, options);
        if (body.Length == 0)
            return Error(StatusCodes.Status400BadRequest, "The body is empty: send the image's bytes (or {\"ImageSource\": \"<base64>\"}).");

        byte[] image = body;
        if (json)
        {
            if (ImageFromJson(body, out var problem) is not { } decoded)
                return Error(StatusCodes.Status400BadRequest, problem!);
            image = decoded;
        }

        await gate.WaitAsync(cancel);
        var model = host.Acquire();
        try
        {
            var prediction = model.Predict(image);
            if (prediction.IsTrue is { } isTrue)
                return Results.Json(new { label = isTrue, probability = prediction.Probability, score = prediction.Score });
            if (prediction.Value is { } value)
                return Results.Json(new { value });
            var scores = new Dictionary<string, float>(prediction.Classes.Count);
            for (int i = 0; i < prediction.Classes.Count; i++)
                scores[prediction.Classes[i]] = prediction.Scores[i];
            if (prediction.Tags is { } tags)
                return Results.Json(new { tags, scores });
            return Results.Json(new { label = prediction.Label, scores });
        }
        catch (InvalidDataException e) when (e.InnerException is ImageTooLargeException)
        {
            // The header declared more pixels than the model decodes: refused before decoding, so it cost nothing.
            return Error(StatusCodes.Status422UnprocessableEntity, e.Message);
        }
        catch (InvalidDataException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        finally
        {
            model.Release();
            gate.Release();
        }
    }

    /// <summary>The body, or the first limit + 1 bytes of it when it is longer (the caller refuses those).</summary>
    private static async Task<byte[]> ReadAtMost(Stream body, long limit, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancel)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
                break;
        }
        return buffer.ToArray();
    }

    /// <summary>The image bytes of Model Builder's <c>{"ImageSource": "&lt;base64&gt;"}</c> (any letter case), or null and why not.</summary>
    private static byte[]? ImageFromJson(byte[] body, out string? problem)
    {
        problem = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"The JSON body is a{(document.RootElement.ValueKind == JsonValueKind.Array ? "n array" : $" {document.RootElement.ValueKind.ToString().ToLowerInvariant()}")}; expected an object {{\"ImageSource\": \"<base64>\"}}.";
                return null;
            }
            var source = document.RootElement.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "ImageSource", StringComparison.OrdinalIgnoreCase));
            if (source.Value.ValueKind != JsonValueKind.String)
            {
                problem = source.Value.ValueKind == JsonValueKind.Undefined
                    ? $"The JSON body has no ImageSource; expected {{\"ImageSource\": \"<base64>\"}}, got the properties [{string.Join(", ", document.RootElement.EnumerateObject().Select(p => p.Name))}]."
                    : $"ImageSource is a {source.Value.ValueKind.ToString().ToLowerInvariant()}; expected the image's bytes as a base64 string.";
                return null;
            }
            if (!source.Value.TryGetBytesFromBase64(out var bytes))
            {
                problem = "ImageSource is not base64: expected the image's bytes as a base64 string.";
                return null;
            }
            return bytes;
        }
        catch (JsonException e)
        {
            problem = $"The body is not valid JSON ({e.Message}); expected {{\"ImageSource\": \"<base64>\"}}.";
            return null;
        }
    }

    private static IResult TooLarge(long? length, ServingOptions options)
        => Error(StatusCodes.Status413PayloadTooLarge, $"The body is {(length is long l ? $"{l:N0} bytes" : "longer than the limit")}; this server takes at most {options.MaxRequestBytes:N0} bytes (--max-request-bytes).");

    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
