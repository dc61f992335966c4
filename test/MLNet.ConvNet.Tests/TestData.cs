using System.Reflection;
using Microsoft.ML;
using MLNet.ConvNet.Data;

namespace MLNet.ConvNet.Tests;

/// <summary>Where the tests find MNIST and the helper programs; small slices keep the suite fast.</summary>
internal static class TestData
{
    public static string RepoRoot => Metadata("RepoRoot");

    public static string ScorerAssembly => Metadata("ScorerAssembly");

    public static string DigitPredictorAssembly => Metadata("DigitPredictorAssembly");

    public static string OnnxServingAssembly => Metadata("OnnxServingAssembly");

    public static string ServingApiAssembly => Metadata("ServingApiAssembly");

    /// <summary>Runs a .NET program to completion (two minutes at most) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Errors) Run(string assembly, params string[] arguments)
        => Run(assembly, new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="Run(string, string[])"/>, with extra environment variables for the child.</summary>
    public static (int ExitCode, string Output, string Errors) Run(string assembly, Dictionary<string, string> environment, params string[] arguments)
        => RunProgram("dotnet", environment, [assembly, .. arguments]);

    /// <summary>Runs any program to completion (two minutes at most) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Errors) RunProgram(string program, Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start);
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments.Take(1))} did not finish in two minutes.");
        }
        return (process.ExitCode, output, errors.Result);
    }

    /// <summary>MNIST_DATA if set, else ../shared/data/mnist beside the repository.</summary>
    public static string MnistDirectory
    {
        get
        {
            string fromEnvironment = Environment.GetEnvironmentVariable(MnistDataset.DataEnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
                return fromEnvironment;
            string beside = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "mnist"));
            if (Directory.Exists(beside))
                return beside;
            throw new InvalidOperationException($"MNIST not found: set {MnistDataset.DataEnvironmentVariable} or put it at {beside}.");
        }
    }

    public static IDataView Train(MLContext ml, int rows) => MnistDataset.Load(ml, MnistDirectory, MnistSplit.Train, rows);

    /// <summary>
    /// Generated MNIST-like digits with MNIST's schema (Label key "0".."9", 784 Features named by pixel), for the fast
    /// tier: no files needed. Seed 1 stands in for training images, other seeds for test images.
    /// </summary>
    public static IDataView Digits(MLContext ml, int rows, int seed = 1) => MnistDataset.Load(ml, GeneratedDigits.Generate(rows, seed));

    public static IDataView Test(MLContext ml, int rows) => MnistDataset.Load(ml, MnistDirectory, MnistSplit.Test, rows);

    /// <summary>
    /// Generated digits padded to 32x32 (ResNet18's smallest input), as MNIST's four IDX files in a folder of their own,
    /// so the example's score command reads them in a fresh process.
    /// </summary>
    public static string DigitsAt32(int count, int seed)
    {
        var digits = GeneratedDigits.Generate(count, seed);
        string folder = TempDirectory();
        var pixels = new byte[count * 32 * 32];
        for (int n = 0; n < count; n++)
            for (int r = 0; r < 28; r++)
                Array.Copy(digits.Images.Pixels, n * 784 + r * 28, pixels, n * 1024 + (r + 2) * 32 + 2, 28);
        static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
        foreach (var split in new[] { "train", "t10k" })
        {
            File.WriteAllBytes(Path.Combine(folder, $"{split}-images-idx3-ubyte"), [.. BigEndian(0x803), .. BigEndian(count), .. BigEndian(32), .. BigEndian(32), .. pixels]);
            File.WriteAllBytes(Path.Combine(folder, $"{split}-labels-idx1-ubyte"), [.. BigEndian(0x801), .. BigEndian(count), .. digits.Labels]);
        }
        return folder;
    }

    /// <summary>Whether Debian's /usr/bin/python3 imports <paramref name="modules"/> (such as "torchvision, onnx"); false without python3.</summary>
    public static bool PythonHas(string modules)
    {
        try
        {
            return RunProgram("/usr/bin/python3", [], "-c", $"import {modules}").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "mlnet-convnet-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Every message down the chain of inner exceptions, for asserting on a cause ML.NET wrapped.</summary>
    public static string Messages(Exception e) => e is null ? "" : e.Message + " | " + Messages(e.InnerException);

    /// <summary>All of a fitted network's parameters, in order, as one array.</summary>
    public static float[] Weights(ConvNetTransformer model) => model.Network.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();

    private static string Metadata(string key) => typeof(TestData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value;
}
