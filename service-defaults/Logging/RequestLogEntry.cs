using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// The state of one request-log event. Every logger provider sees the usual structured values (Method, Path,
/// StatusCode, ElapsedMilliseconds) and the message <c>GET / 200 0.412ms</c>; the request-log provider reads the
/// fields directly, so the hot path boxes nothing.
/// </summary>
public readonly struct RequestLogEntry(string method, string path, int statusCode, long elapsedMicroseconds)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string OriginalFormat = "{Method} {Path} {StatusCode} {ElapsedMilliseconds}ms";

    public static EventId EventId { get; } = new(1, "Request");

    /// <summary>The message formatter that <see cref="ILogger.Log{TState}"/> hands to providers.</summary>
    public static Func<RequestLogEntry, Exception?, string> Formatter { get; } = (entry, _) => entry.ToString();

    public string Method { get; } = method;

    /// <summary>The path as it would appear in a URL (percent-encoded), so a line can't be split by the request.</summary>
    public string Path { get; } = path;

    public int StatusCode { get; } = statusCode;

    public long ElapsedMicroseconds { get; } = elapsedMicroseconds;

    public double ElapsedMilliseconds => ElapsedMicroseconds / 1000.0;

    public int Count => 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(nameof(Method), Method),
        1 => new(nameof(Path), Path),
        2 => new(nameof(StatusCode), StatusCode),
        3 => new(nameof(ElapsedMilliseconds), ElapsedMilliseconds),
        4 => new("{OriginalFormat}", OriginalFormat),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>An upper bound of the UTF-8 length of the message, to size a buffer once.</summary>
    public int MaxMessageBytes => 64 + Encoding.UTF8.GetMaxByteCount(Method.Length + Path.Length);

    /// <summary>Writes the message (<c>GET / 200 0.412ms</c>) as UTF-8, the duration in microsecond precision.</summary>
    public bool TryWriteMessage(Span<byte> destination, out int bytesWritten) =>
        Utf8.TryWrite(destination, CultureInfo.InvariantCulture,
            $"{Method} {Path} {StatusCode} {ElapsedMicroseconds / 1000}.{ElapsedMicroseconds % 1000:D3}ms", out bytesWritten);

    public override string ToString()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxMessageBytes);
        try
        {
            TryWriteMessage(buffer, out var length);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
