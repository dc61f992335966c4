namespace MLNet.ConvNet.Data;

/// <summary>MNIST is neither in a folder given, nor cached, nor downloadable; the message lists what was tried.</summary>
public sealed class MnistNotFoundException : IOException
{
    /// <summary>Creates the exception with a message that lists every place and mirror tried.</summary>
    public MnistNotFoundException(string message) : base(message) { }
}
