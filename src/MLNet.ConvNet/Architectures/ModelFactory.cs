using MLNet.ConvNet.Native;
using TorchSharp;

namespace MLNet.ConvNet.Architectures;

/// <summary>
/// Creates models from a seed. Weight initialisation draws from libtorch's global generator, so creation
/// is serialised: two trainers on two threads still get the weights their seeds promise.
/// </summary>
internal static class ModelFactory
{
    private static readonly object _globalGenerator = new();

    public static ConvNetModel Create(ConvNetArchitecture architecture, int numberOfClasses, int seed)
    {
        TorchRuntime.EnsureLoaded();
        lock (_globalGenerator)
        {
            torch.manual_seed(seed);
            return new ConvNetModel(architecture, numberOfClasses);
        }
    }
}
