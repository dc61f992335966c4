namespace MLNet.ConvNet.Plots;

/// <summary>A PNG file the plots wrote, with where its parts are, so a program (or a test) can find them again.</summary>
/// <param name="Path">The PNG file.</param>
/// <param name="Width">Its width in pixels.</param>
/// <param name="Height">Its height in pixels.</param>
/// <param name="Tiles">The rectangle of each tile (a filter, a feature map, an image) or cell (of a heatmap), in drawing order; empty for charts.</param>
public sealed record Picture(string Path, int Width, int Height, IReadOnlyList<Tile> Tiles);

/// <summary>One tile or cell of a <see cref="Picture"/>, in pixels from the top-left corner.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Caption">The text under the tile, or in the cell.</param>
public sealed record Tile(int X, int Y, int Width, int Height, string Caption);
