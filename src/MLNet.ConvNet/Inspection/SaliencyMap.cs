namespace MLNet.ConvNet;

/// <summary>
/// Where an image's class score comes from, one value per pixel (<see cref="ConvNetModelParameters.GetSaliency"/> and
/// <see cref="ConvNetModelParameters.GetGradCam"/>).
/// </summary>
/// <param name="Method">"gradient" or "Grad-CAM on LAYER".</param>
/// <param name="ClassIndex">The class whose score was explained (0-based, in the label's key order), or tag; 0 for a binary model or a regression.</param>
/// <param name="Probability">The model's probability for that class (or tag) on the image; a binary model's calibrated Probability; a regression's Score.</param>
/// <param name="Height">Rows, the image's height.</param>
/// <param name="Width">Columns, the image's width.</param>
/// <param name="Values">Height x width values, row-major, 0 or more; larger means more influence.</param>
public sealed record SaliencyMap(string Method, int ClassIndex, float Probability, int Height, int Width, float[] Values);
