using System.Diagnostics;
using System.Text.Json;

namespace MLNet.ConvNet.Benchmarks;

/// <summary>Runs bench/pytorch_baseline.py when python3 with torch is installed.</summary>
internal sealed class PyTorchBaseline
{
    private static readonly string Script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "pytorch_baseline.py"));

    private readonly string _python;

    private PyTorchBaseline(bool available, string version, string python = null)
    {
        Available = available;
        Version = version;
        _python = python;
    }

    public bool Available { get; }

    /// <summary>The torch version, or why PyTorch is not measured.</summary>
    public string Version { get; }

    /// <summary>The first of python3 on PATH and Debian's /usr/bin/python3 (where python3-torch installs) that imports torch.</summary>
    public static PyTorchBaseline Find()
    {
        var reasons = new List<string>();
        foreach (var python in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                var (code, output, errors) = Run(python, "-c", "import torch; print(torch.__version__)");
                if (code == 0)
                    return new PyTorchBaseline(true, $"PyTorch {output.Trim()} ({python})", python);
                reasons.Add($"{python} has no torch");
            }
            catch (System.ComponentModel.Win32Exception)
            {
                reasons.Add($"{python} not found");
            }
        }
        return new PyTorchBaseline(false, string.Join(", ", reasons) + "; install it with apt-get install python3-torch");
    }

    public List<double> EpochSeconds(string architecture, BenchSettings settings, int epochs)
    {
        var arguments = new List<string> { Script, "--data", settings.DataDirectory, "--architecture", architecture, "--epochs", epochs.ToString(), "--threads", settings.Threads.ToString() };
        if (settings.TrainRows is int rows)
            arguments.AddRange(["--rows", rows.ToString()]);
        var (code, output, errors) = Run(_python, [.. arguments]);
        if (code != 0)
        {
            Console.WriteLine($"(c) PyTorch failed: {errors.Trim()}");
            return null;
        }
        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        return json.RootElement.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble()).ToList();
    }

    private static (int Code, string Output, string Errors) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start);
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }
}
