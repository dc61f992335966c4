using MLNet.ConvNet.Native;

namespace MLNet.ConvNet.Tests.Native;

[TestClass]
public sealed class LibTorchSwitchesTests
{
    [TestMethod]
    public void OnX64Linux_NnpackIsOffOnceLibTorchHasLoaded_AndTheLogSaysSo()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            Assert.Inconclusive("NNPACK is turned off on x86-64 Linux only");
        TorchRuntime.EnsureLoaded();
        Assert.AreEqual(false, LibTorchSwitches.NnpackEnabled(null), "libtorch's own switch reads off");
        StringAssert.StartsWith(LibTorchSwitches.NnpackOutcome, "NNPACK off");
    }

    [TestMethod]
    public void TheSwitchIsRead_FromLibTorchItself()
    {
        // The reader must see libtorch's real value, not an echo of ours: flipping it on and off reads back each time.
        TorchRuntime.EnsureLoaded();
        bool? before = LibTorchSwitches.NnpackEnabled(null);
        if (before is null)
            Assert.Inconclusive("this libtorch exports no NNPACK switch under its Itanium C++ name");
        LibTorchSwitches.SetNnpackForTests(true);
        try
        {
            Assert.AreEqual(true, LibTorchSwitches.NnpackEnabled(null));
        }
        finally
        {
            LibTorchSwitches.SetNnpackForTests(before.Value);
        }
        Assert.AreEqual(before, LibTorchSwitches.NnpackEnabled(null));
    }
}
