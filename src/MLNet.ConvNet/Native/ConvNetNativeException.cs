namespace MLNet.ConvNet;

/// <summary>libtorch, the native library under TorchSharp, cannot be loaded or used in this process.</summary>
public sealed class ConvNetNativeException : Exception
{
    /// <summary>Creates the exception with a message that says what failed and what to do.</summary>
    public ConvNetNativeException(string message, Exception inner) : base(message, inner) { }
}
