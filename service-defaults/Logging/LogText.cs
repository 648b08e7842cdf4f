using System.Buffers;
using System.Globalization;
using System.Text;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// Text from outside made safe for a log line in every format: control characters and the invisible ones that break or
/// reorder a line are written as <c>\xNN</c> or <c>\uNNNN</c> (no moved cursor, cleared screen, forged line or reordered
/// text), and it is cut to a length that keeps one line readable.
/// </summary>
public static class LogText
{
    /// <summary>Enough for any real method, path or error message; a line stays a line.</summary>
    public const int DefaultMaxLength = 512;

    // C0, DEL and C1 controls; the Arabic letter mark, the Mongolian vowel separator, zero-width characters,
    // bidirectional marks, the line and paragraph separators, embeddings, overrides and isolates, invisible operators,
    // the byte-order mark and interlinear annotation marks.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create([.. new[] { (0x0000, 0x20), (0x007F, 0x21), (0x061C, 1), (0x180E, 1), (0x200B, 5),
        (0x2028, 7), (0x2060, 5), (0x2066, 10), (0xFEFF, 1), (0xFFF9, 3) }.SelectMany(((int First, int Count) range) => Enumerable.Range(range.First, range.Count).Select(c => (char)c))]);

    /// <summary>
    /// <paramref name="text"/> with every unsafe character escaped and at most <paramref name="maxLength"/> characters
    /// of it kept (then <c>...</c>); the same instance when there is nothing to change, the usual case.
    /// </summary>
    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        text ??= "";
        var kept = text.AsSpan(0, Math.Min(text.Length, maxLength));
        var cut = kept.Length < text.Length ? "..." : "";
        if (!kept.ContainsAny(Unsafe))
        {
            return cut.Length == 0 ? text : string.Concat(kept, cut);
        }
        var escaped = new StringBuilder(kept.Length + 16);
        foreach (var c in kept)
        {
            _ = !Unsafe.Contains(c) ? escaped.Append(c)
                : c <= '\u00FF' ? escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}")
                : escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return escaped.Append(cut).ToString();
    }
}
