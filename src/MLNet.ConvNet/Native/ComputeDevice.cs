using TorchSharp;

namespace MLNet.ConvNet.Native;

/// <summary>
/// A device name ("cpu", "cuda", "cuda:N") checked when the options are read, before libtorch loads; opened as a
/// libtorch device when training starts, where a CUDA device that is missing gets a message that says what to do.
/// </summary>
internal sealed record ComputeDevice(DeviceType Type, int Index, string Name)
{
    public static ComputeDevice Cpu { get; } = new(DeviceType.CPU, -1, "cpu");

    /// <exception cref="ArgumentException">The name is not "cpu", "cuda" or "cuda:N".</exception>
    public static ComputeDevice Parse(string? name, string optionName)
    {
        var match = System.Text.RegularExpressions.Regex.Match(name ?? "", @"^(cpu|cuda)(:(\d{1,4}))?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (!match.Success)
            throw new ArgumentException($"Device must be \"cpu\", \"cuda\" or \"cuda:N\"; got \"{name}\".", optionName);
        if (match.Groups[1].Value.Equals("cpu", StringComparison.OrdinalIgnoreCase))
            return Cpu;
        return new ComputeDevice(DeviceType.CUDA, match.Groups[3].Success ? int.Parse(match.Groups[3].Value) : 0, name!);
    }

    /// <summary>The libtorch device; loads libtorch if needed.</summary>
    /// <exception cref="ArgumentException">CUDA was asked for and this process has no such device.</exception>
    /// <exception cref="ConvNetNativeException">libtorch cannot be loaded.</exception>
    public torch.Device Open(string optionName)
    {
        TorchRuntime.EnsureLoaded();
        if (Type == DeviceType.CPU)
            return torch.CPU;
        if (!torch.cuda.is_available())
        {
            throw new ArgumentException(
                $"Device \"{this}\" was requested, but CUDA is not available in this process. Reference TorchSharp-cuda-linux or TorchSharp-cuda-windows " +
                $"{TorchRuntime.TorchSharpVersion} instead of TorchSharp-cpu, run on a machine with an NVIDIA GPU and driver, or set Device = \"cpu\".", optionName);
        }
        if (Index >= torch.cuda.device_count())
            throw new ArgumentException($"Device \"{this}\" was requested, but this machine has {torch.cuda.device_count()} CUDA device(s), numbered from 0.", optionName);
        return torch.device(DeviceType.CUDA, Index);
    }

    public override string ToString() => Name;
}
