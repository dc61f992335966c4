namespace MLNet.ConvNet;

/// <summary>
/// One row of <see cref="PretrainedNetworks.All"/>: a network trained on ImageNet that the trainer knows by name
/// (<c>Architecture = Name</c>), where its files come from, how it wants its pixels, the sizes it takes, and where its
/// features are cut off from its own classifier.
/// </summary>
/// <param name="Name">The architecture's name, as the trainer's options give it.</param>
/// <param name="Source">Where the files are found, as a user reads it (a NuGet package and its paths).</param>
/// <param name="Preprocessing">What the network's first layer does to the library's [0, 1] pixels, in words.</param>
/// <param name="NativeSize">The height and width it was trained at.</param>
/// <param name="SmallestSize">The smallest height and width it takes.</param>
/// <param name="FeatureCut">Where the features end and the new classifier begins, in words.</param>
/// <param name="Create">Reads the files (from the folder given, or where <paramref name="Source"/> says) into the architecture, with a new classifier.</param>
public sealed record PretrainedNetwork(string Name, string Source, string Preprocessing, int NativeSize, int SmallestSize, string FeatureCut, Func<string?, GraphArchitecture> Create);
