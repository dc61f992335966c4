namespace MLNet.ConvNet.Tests.Serving;

/// <summary>
/// The serving API scores each request on one libtorch thread, which sets libtorch's thread count for the threads that
/// start using it afterwards: test classes that host it give the rest of the run its count back when they end.
/// </summary>
public abstract class ServingTestClass
{
    private static int _torchThreads;

    [ClassInitialize(InheritanceBehavior.BeforeEachDerivedClass)]
    public static void RememberTorchThreads(TestContext context) => _torchThreads = TorchSharp.torch.get_num_threads();

    [ClassCleanup(InheritanceBehavior.BeforeEachDerivedClass)]
    public static void RestoreTorchThreads() => TorchSharp.torch.set_num_threads(_torchThreads);
}
