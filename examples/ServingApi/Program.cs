// A prediction API in the shape of Model Builder's Web API template, for a model of MLNet.ConvNet:
//   dotnet run --project examples/ServingApi -c Release -- --model models/digits.zip --urls http://127.0.0.1:5000
//   curl --data-binary @seven.png -H "Content-Type: image/png" http://127.0.0.1:5000/predict
// The model is a .zip saved by MLNet.ConvNet (scored through pooled PredictionEngines) or an .onnx exported with
// ConvertToOnnx (scored with ONNX Runtime; libtorch is never loaded). Replacing the file swaps the model live.
// Options: --max-request-bytes (4 MiB), --timeout-seconds (10), --max-concurrency (cores), --invert. docs/serving.md.
using Microsoft.AspNetCore.Http.Timeouts;
using ServingApi;

var builder = WebApplication.CreateBuilder(args);
ServingOptions options;
try
{
    options = ServingOptions.From(builder.Configuration);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
if (!File.Exists(options.Model))
{
    Console.Error.WriteLine($"error: no model at '{options.Model}'.");
    return 2;
}

builder.Services.AddSingleton(options);
builder.Services.AddSingleton<ModelHost>();
builder.Services.AddSingleton<ConcurrencyGate>();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);
builder.Services.AddRequestTimeouts(timeouts => timeouts.DefaultPolicy = new RequestTimeoutPolicy
{
    Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
    TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
    WriteTimeoutResponse = context => context.Response.WriteAsJsonAsync(new { error = $"The request took longer than {options.TimeoutSeconds:G} s (--timeout-seconds) and was cancelled: its body came too slowly, or the server is busy. Try again." }),
});

var app = builder.Build();
try
{
    // Load the model before taking requests: a model that cannot load stops the app with its reason.
    _ = app.Services.GetRequiredService<ModelHost>();
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: cannot serve '{options.Model}': {e.Message}");
    return 2;
}
app.UseRequestTimeouts();
app.MapGet("/health", (ModelHost host) => Results.Ok(host.Describe()));
app.MapPost("/predict", PredictEndpoint.Handle);
app.Run();
return 0;

/// <summary>The entry point, public for the functional tests' WebApplicationFactory.</summary>
public partial class Program;
