namespace MLNet.ConvNet.Data;

/// <summary>
/// The inner exception of the <see cref="InvalidDataException"/> for an image whose header declares more pixels than
/// <see cref="ImageDecoding.MaxSide"/> or <see cref="ImageDecoding.MaxPixels"/> allow, refused before any pixel was
/// decoded: a web API answers it with 413 or 422 rather than 400 (<c>catch (InvalidDataException e) when
/// (e.InnerException is ImageTooLargeException)</c>).
/// </summary>
public sealed class ImageTooLargeException(string message) : Exception(message);
