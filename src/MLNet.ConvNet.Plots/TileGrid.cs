using SkiaSharp;

namespace MLNet.ConvNet.Plots;

/// <summary>
/// Draws tiles in rows on a white page with SkiaSharp: each tile is a small image scaled up with square pixels (no
/// smoothing, so each value stays one block of one colour), with a caption under it, and a title on top.
/// </summary>
internal sealed class TileGrid
{
    private const int Margin = 12, Gap = 10, TitleHeight = 30, LineHeight = 15;

    /// <summary>One tile: a colour per source pixel (row-major, rows x columns) and caption lines.</summary>
    public sealed record Item(int Rows, int Columns, SKColor[] Pixels, string[] Caption);

    public static Picture Write(string path, string title, IReadOnlyList<Item> items, int columns, int scale, string? footer = null)
    {
        if (items.Count == 0)
            throw new ArgumentException("A grid needs at least one tile.", nameof(items));
        columns = Math.Clamp(columns, 1, items.Count);
        int rows = (items.Count + columns - 1) / columns;
        int tileWidth = items.Max(i => i.Columns) * scale, tileHeight = items.Max(i => i.Rows) * scale;
        int captionLines = items.Max(i => i.Caption.Length);
        // Wide enough for the longest caption line, so neighbours' captions never overlap.
        int captionWidth = (int)Math.Ceiling(items.SelectMany(i => i.Caption).Select(line => Ink.Width(line, 12)).DefaultIfEmpty(0).Max()) + 6;
        int cellWidth = Math.Max(tileWidth, captionWidth), cellHeight = tileHeight + captionLines * LineHeight + 4;
        int width = 2 * Margin + columns * cellWidth + (columns - 1) * Gap;
        int height = TitleHeight + 2 * Margin + rows * cellHeight + (rows - 1) * Gap + (footer is null ? 0 : 2 * LineHeight);
        width = Math.Max(width, (int)Math.Ceiling(Ink.Width(title, 16)) + 2 * Margin);

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        Ink.Write(canvas, title, Margin, Margin + 16, 16);

        var tiles = new List<Tile>();
        using var block = new SKPaint { IsAntialias = false };
        using var frame = new SKPaint { Color = new SKColor(200, 200, 200), Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = false };
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            int x = Margin + i % columns * (cellWidth + Gap) + (cellWidth - item.Columns * scale) / 2;
            int y = TitleHeight + Margin + i / columns * (cellHeight + Gap);
            for (int r = 0; r < item.Rows; r++)
            {
                for (int c = 0; c < item.Columns; c++)
                {
                    block.Color = item.Pixels[r * item.Columns + c];
                    canvas.DrawRect(x + c * scale, y + r * scale, scale, scale, block);
                }
            }
            canvas.DrawRect(x - 1, y - 1, item.Columns * scale + 1, item.Rows * scale + 1, frame);
            for (int line = 0; line < item.Caption.Length; line++)
                Ink.Write(canvas, item.Caption[line], x + item.Columns * scale / 2f, y + item.Rows * scale + LineHeight * (line + 1), 12, SKTextAlign.Center);
            tiles.Add(new Tile(x, y, item.Columns * scale, item.Rows * scale, string.Join(" ", item.Caption)));
        }
        if (footer is not null)
            Ink.Write(canvas, footer, Margin, height - Margin, 12);
        PngFile.Write(bitmap, path);
        return new Picture(path, width, height, tiles);
    }
}
