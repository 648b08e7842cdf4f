using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// The state of one request-log event: the structured values (Method, Path, StatusCode, ElapsedMilliseconds, and
/// for a request Kestrel rejected itself its Reason) and the message <c>GET / 200 0.412ms</c>. A struct, so the hot
/// path boxes nothing until a formatter asks for a value. Method, path and reason came from outside: they are
/// escaped and cut (<see cref="LogText"/>) when the entry is made, so every format and provider gets them safe.
/// </summary>
public readonly struct RequestLogEntry : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string OriginalFormat = "{Method} {Path} {StatusCode} {ElapsedMilliseconds}ms";
    public const string RejectedOriginalFormat = "{Method} {Path} {StatusCode} rejected: {Reason}";

    /// <summary>The longest method kept: the longest registered one (<c>UPDATEREDIRECTREF</c>) is 17 characters.</summary>
    public const int MaxMethodLength = 24;

    public const int MaxPathLength = LogText.DefaultMaxLength;

    public static EventId EventId { get; } = new(1, "Request");

    /// <summary>A request that Kestrel answered itself (400, 408, 414, 431, ...) before any middleware ran.</summary>
    public static EventId RejectedEventId { get; } = new(2, "RequestRejected");

    /// <summary>The message formatter that <see cref="ILogger.Log{TState}"/> hands to providers.</summary>
    public static Func<RequestLogEntry, Exception?, string> Formatter { get; } = (entry, _) => entry.ToString();

    private readonly long _elapsedMicroseconds;

    /// <param name="path">The path as it would appear in a URL (percent-encoded), so a line can't be split by the request.</param>
    public RequestLogEntry(string? method, string? path, int statusCode, long elapsedMicroseconds)
        : this(method, path, statusCode, elapsedMicroseconds, reason: null)
    {
    }

    private RequestLogEntry(string? method, string? path, int statusCode, long elapsedMicroseconds, string? reason)
    {
        Method = OrDash(LogText.Escape(method, MaxMethodLength));
        Path = OrDash(LogText.Escape(path, MaxPathLength));
        StatusCode = statusCode;
        _elapsedMicroseconds = elapsedMicroseconds;
        Reason = reason is null ? null : LogText.Escape(reason);
    }

    /// <summary>A request Kestrel rejected: no middleware ran, so there is no duration, and the reason says why.</summary>
    public static RequestLogEntry Rejected(string? method, string? path, int statusCode, string reason) =>
        new(method, path, statusCode, elapsedMicroseconds: 0, reason);

    public string Method { get; }

    public string Path { get; }

    public int StatusCode { get; }

    /// <summary>Why Kestrel rejected the request; null for a request the pipeline answered.</summary>
    public string? Reason { get; }

    public bool IsRejected => Reason is not null;

    public double? ElapsedMilliseconds => IsRejected ? null : _elapsedMicroseconds / 1000.0;

    public int Count => 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(nameof(Method), Method),
        1 => new(nameof(Path), Path),
        2 => new(nameof(StatusCode), StatusCode),
        3 => IsRejected ? new(nameof(Reason), Reason) : new(nameof(ElapsedMilliseconds), ElapsedMilliseconds),
        4 => new("{OriginalFormat}", IsRejected ? RejectedOriginalFormat : OriginalFormat),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary><c>GET / 200 0.412ms</c>, the duration to the microsecond; or <c>GET / 408 rejected: Request headers timeout.</c></summary>
    public override string ToString() => IsRejected
        ? $"{Method} {Path} {StatusCode.ToString(CultureInfo.InvariantCulture)} rejected: {Reason}"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Method} {Path} {StatusCode} {_elapsedMicroseconds / 1000}.{_elapsedMicroseconds % 1000:D3}ms");

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string OrDash(string text) => text.Length == 0 ? "-" : text;
}
