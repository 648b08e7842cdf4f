using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Logging.Console;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// How a request-log line looks: the layout of the console logger's other lines under the same
/// <c>Logging:Console</c> settings (<c>FormatterName</c> <c>simple</c> as one line, <c>systemd</c> or <c>json</c>;
/// <c>FormatterOptions:TimestampFormat</c> and <c>UseUtcTimestamp</c>). Not followed: colours on a terminal,
/// scopes and indented JSON.
/// </summary>
internal sealed class RequestLogLayout(RequestLogFormat format, string? timestampFormat, bool useUtcTimestamp)
{
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("Timestamp");
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("EventId");
    private static readonly JsonEncodedText LogLevelName = JsonEncodedText.Encode("LogLevel");
    private static readonly JsonEncodedText Information = JsonEncodedText.Encode("Information");
    private static readonly JsonEncodedText CategoryName = JsonEncodedText.Encode("Category");
    private static readonly JsonEncodedText Category = JsonEncodedText.Encode(RequestLogging.Category);
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("Message");
    private static readonly JsonEncodedText StateName = JsonEncodedText.Encode("State");

    [ThreadStatic]
    private static Utf8JsonWriter? t_jsonWriter;

    // Buffers up to this size live on the stack; a long path or timestamp format gets a heap array instead.
    private const int StackBufferBytes = 256;

    public static RequestLogLayout From(ConsoleLoggerOptions console, SimpleConsoleFormatterOptions simple,
        ConsoleFormatterOptions systemd, JsonConsoleFormatterOptions json)
    {
        // Formatter names are matched as the console logger matches them: ignoring case.
        if (string.Equals(console.FormatterName, ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase))
        {
            return new(RequestLogFormat.Json, json.TimestampFormat, json.UseUtcTimestamp);
        }
        return string.Equals(console.FormatterName, ConsoleFormatterNames.Systemd, StringComparison.OrdinalIgnoreCase)
            ? new(RequestLogFormat.Systemd, systemd.TimestampFormat, systemd.UseUtcTimestamp)
            : new(RequestLogFormat.Simple, simple.TimestampFormat, simple.UseUtcTimestamp);
    }

    /// <summary>Appends one line, <c>\n</c> included, to <paramref name="output"/>.</summary>
    public void Write(in RequestLogEntry entry, TimeProvider time, IBufferWriter<byte> output)
    {
        var timestamp = timestampFormat is null ? default : useUtcTimestamp ? time.GetUtcNow() : time.GetLocalNow();
        if (format == RequestLogFormat.Json)
        {
            WriteJson(entry, timestamp, output);
        }
        else
        {
            WriteText(entry, timestamp, output);
        }
        output.Write("\n"u8);
    }

    // Simple: "2026-11-26T14:05:00.123Z info: MinikubeDemo.RequestLog[1] GET / 200 0.412ms", as SimpleConsoleFormatter
    // writes it with SingleLine. Systemd: "<6>MinikubeDemo.RequestLog[1] GET / 200 0.412ms" (6: informational).
    private void WriteText(in RequestLogEntry entry, DateTimeOffset timestamp, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(MaxTimestampBytes() + RequestLogging.Category.Length + 16 + entry.MaxMessageBytes);
        var length = 0;
        if (format == RequestLogFormat.Systemd)
        {
            "<6>"u8.CopyTo(span);
            length += 3;
        }
        if (timestampFormat is not null && timestamp.TryFormat(span[length..], out var written, timestampFormat, CultureInfo.InvariantCulture))
        {
            length += written;
        }
        if (format == RequestLogFormat.Simple)
        {
            "info: "u8.CopyTo(span[length..]);
            length += 6;
        }
        Utf8.TryWrite(span[length..], CultureInfo.InvariantCulture, $"{RequestLogging.Category}[{RequestLogEntry.EventId.Id}] ", out written);
        length += written;
        entry.TryWriteMessage(span[length..], out written);
        output.Advance(length + written);
    }

    // The shape of JsonConsoleFormatter's lines, so a log collector parses every line of the service the same way.
    private void WriteJson(in RequestLogEntry entry, DateTimeOffset timestamp, IBufferWriter<byte> output)
    {
        var writer = t_jsonWriter ??= new Utf8JsonWriter(output);
        writer.Reset(output);
        var messageBytes = entry.MaxMessageBytes;
        Span<byte> message = messageBytes <= StackBufferBytes ? stackalloc byte[StackBufferBytes] : new byte[messageBytes];
        entry.TryWriteMessage(message, out var messageLength);
        message = message[..messageLength];

        writer.WriteStartObject();
        if (timestampFormat is not null)
        {
            var timestampBytes = MaxTimestampBytes();
            Span<byte> formatted = timestampBytes <= StackBufferBytes ? stackalloc byte[StackBufferBytes] : new byte[timestampBytes];
            timestamp.TryFormat(formatted, out var written, timestampFormat, CultureInfo.InvariantCulture);
            writer.WriteString(TimestampName, formatted[..written]);
        }
        writer.WriteNumber(EventIdName, RequestLogEntry.EventId.Id);
        writer.WriteString(LogLevelName, Information);
        writer.WriteString(CategoryName, Category);
        writer.WriteString(MessageName, message);
        writer.WriteStartObject(StateName);
        writer.WriteString(MessageName, message);
        writer.WriteString(nameof(RequestLogEntry.Method), entry.Method);
        writer.WriteString(nameof(RequestLogEntry.Path), entry.Path);
        writer.WriteNumber(nameof(RequestLogEntry.StatusCode), entry.StatusCode);
        writer.WriteNumber(nameof(RequestLogEntry.ElapsedMilliseconds), entry.ElapsedMilliseconds);
        writer.WriteString("{OriginalFormat}", RequestLogEntry.OriginalFormat);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }

    // A custom format can spell out names ("dddd", "MMMM"): generous, and only a size hint.
    private int MaxTimestampBytes() => 8 * (timestampFormat?.Length ?? 0) + 64;
}

internal enum RequestLogFormat
{
    Simple,
    Systemd,
    Json,
}
