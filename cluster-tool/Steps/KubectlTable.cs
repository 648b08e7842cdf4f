namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>Lays out rows the way kubectl's table printer does: left-aligned columns, three spaces apart.</summary>
internal static class KubectlTable
{
    private const int ColumnGap = 3;

    public static IReadOnlyList<string> Format(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var lines = new List<IReadOnlyList<string>> { headers };
        lines.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(column => lines.Max(line => line[column].Length) + ColumnGap).ToArray();
        return lines
            .Select(line => string.Concat(line.Select((cell, column) => column == line.Count - 1 ? cell : cell.PadRight(widths[column]))))
            .ToList();
    }
}
