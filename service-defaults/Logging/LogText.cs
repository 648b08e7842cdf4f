using System.Buffers;
using System.Globalization;
using System.Text;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// Text that came from outside (a request's method or path, an upstream's bytes, an exception message that quotes
/// them) made safe for a log line in every format: control and invisible formatting characters are written as
/// <c>\xNN</c> or <c>\uNNNN</c>, so a remote party can neither move an operator's cursor, clear the screen, start a
/// fake line with <c>\r</c> or <c>\n</c>, nor reorder the text with bidirectional overrides; and it is cut to a
/// length that keeps one line readable.
/// </summary>
public static class LogText
{
    /// <summary>Enough for any real method, path or error message; a line stays a line.</summary>
    public const int DefaultMaxLength = 512;

    private const string Ellipsis = "...";

    // C0, DEL and C1 controls; and the format characters that change how the rest of a line is shown: the Arabic
    // letter mark, the Mongolian vowel separator, zero-width characters, bidirectional marks, embeddings, overrides
    // and isolates, the line and paragraph separators, invisible operators, the byte-order mark, interlinear
    // annotation marks.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F" +
        "\u061C\u180E\u200B\u200C\u200D\u200E\u200F\u2028\u2029\u202A\u202B\u202C\u202D\u202E" +
        "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206A\u206B\u206C\u206D\u206E\u206F" +
        "\uFEFF\uFFF9\uFFFA\uFFFB");

    /// <summary>
    /// <paramref name="text"/> with every unsafe character escaped and at most <paramref name="maxLength"/>
    /// characters of it kept (then <c>...</c>); the same instance when there is nothing to change, which is the
    /// usual case and allocates nothing.
    /// </summary>
    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        var kept = text.AsSpan(0, Math.Min(text.Length, maxLength));
        var firstUnsafe = kept.IndexOfAny(Unsafe);
        if (firstUnsafe < 0)
        {
            return kept.Length == text.Length ? text : string.Concat(kept, Ellipsis);
        }

        var escaped = new StringBuilder(kept.Length + 16);
        escaped.Append(kept[..firstUnsafe]);
        foreach (var c in kept[firstUnsafe..])
        {
            if (!Unsafe.Contains(c))
            {
                escaped.Append(c);
            }
            else if (c <= '\u00FF')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }
        if (kept.Length < text.Length)
        {
            escaped.Append(Ellipsis);
        }
        return escaped.ToString();
    }
}
