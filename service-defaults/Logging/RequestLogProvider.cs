using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace MinikubeDemo.ServiceDefaults.Logging;

/// <summary>
/// The console output of the request log (category <see cref="RequestLogging.Category"/>), in place of the console
/// logger for that one category: each line is formatted straight to UTF-8 on the request's thread and written in
/// batches (<see cref="RequestLogWriter"/>). Level filters and other providers work as for any category.
/// </summary>
[ProviderAlias("RequestLog")]
internal sealed class RequestLogProvider : ILoggerProvider
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_line;

    private readonly Stream _output;
    private readonly RequestLogWriter _writer;
    private readonly TimeProvider _time;
    private readonly IDisposable?[] _subscriptions;
    private RequestLogLayout _layout;

    public RequestLogProvider(
        IOptionsMonitor<ConsoleLoggerOptions> console,
        IOptionsMonitor<SimpleConsoleFormatterOptions> simple,
        IOptionsMonitor<ConsoleFormatterOptions> systemd,
        IOptionsMonitor<JsonConsoleFormatterOptions> json,
        TimeProvider time)
    {
        _time = time;
        _output = Console.OpenStandardOutput();
        _writer = new RequestLogWriter(_output);
        RequestLogLayout Layout() => RequestLogLayout.From(console.CurrentValue, simple.CurrentValue, systemd.CurrentValue, json.CurrentValue);
        _layout = Layout();
        // Settings can change while running (appsettings.json reloads); the layout follows them.
        _subscriptions =
        [
            console.OnChange(_ => _layout = Layout()),
            simple.OnChange(_ => _layout = Layout()),
            systemd.OnChange(_ => _layout = Layout()),
            json.OnChange(_ => _layout = Layout()),
        ];
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName == RequestLogging.Category ? new RequestLogger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription?.Dispose();
        }
        _writer.Dispose();
        _output.Dispose();
    }

    private void Write(in RequestLogEntry entry)
    {
        var line = t_line ??= new ArrayBufferWriter<byte>(512);
        line.ResetWrittenCount();
        _layout.Write(entry, _time, line);
        _writer.Append(line.WrittenSpan);
    }

    private sealed class RequestLogger(RequestLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Only the request log middleware writes to this category, always with a RequestLogEntry.
            if (state is RequestLogEntry entry)
            {
                provider.Write(entry);
            }
        }
    }
}
