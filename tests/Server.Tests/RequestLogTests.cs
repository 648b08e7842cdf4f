using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Console;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Server.Tests;

/// <summary>
/// The request log's own console output: the line it writes in each layout, how it batches writes, and the real
/// process's standard output.
/// </summary>
public sealed class RequestLogTests
{
    private static readonly RequestLogEntry Entry = new("GET", "/a%20b", 404, 1234);
    private static readonly TimeProvider At = new FixedTime(new DateTimeOffset(2026, 11, 26, 14, 5, 0, 123, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_message_has_method_path_status_and_milliseconds_to_the_microsecond()
    {
        Assert.Equal("GET /a%20b 404 1.234ms", Entry.ToString());
        Assert.Equal("GET / 200 0.007ms", new RequestLogEntry("GET", "/", 200, 7).ToString());
        Assert.Equal("GET /x 500 1500.000ms", new RequestLogEntry("GET", "/x", 500, 1_500_000).ToString());
    }

    [Fact]
    public void Other_providers_see_the_structured_values()
    {
        Assert.Equal(
            ["Method=GET", "Path=/a%20b", "StatusCode=404", "ElapsedMilliseconds=1.234", "{OriginalFormat}=" + RequestLogEntry.OriginalFormat],
            Entry.Select(pair => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value}")));
    }

    [Fact]
    public void A_text_line_looks_like_the_console_loggers_single_line()
    {
        var layout = new RequestLogLayout(RequestLogFormat.Simple, "yyyy-MM-ddTHH:mm:ss.fffZ ", useUtcTimestamp: true);

        Assert.Equal("2026-11-26T14:05:00.123Z info: MinikubeDemo.RequestLog[1] GET /a%20b 404 1.234ms\n", Write(layout));
        Assert.Equal("info: MinikubeDemo.RequestLog[1] GET /a%20b 404 1.234ms\n",
            Write(new RequestLogLayout(RequestLogFormat.Simple, timestampFormat: null, useUtcTimestamp: true)));
    }

    [Fact]
    public void A_systemd_line_has_the_journal_priority_in_front()
    {
        Assert.Equal("<6>MinikubeDemo.RequestLog[1] GET /a%20b 404 1.234ms\n",
            Write(new RequestLogLayout(RequestLogFormat.Systemd, timestampFormat: null, useUtcTimestamp: true)));
        Assert.Equal("<6>14:05:00 MinikubeDemo.RequestLog[1] GET /a%20b 404 1.234ms\n",
            Write(new RequestLogLayout(RequestLogFormat.Systemd, "HH:mm:ss ", useUtcTimestamp: true)));
    }

    [Fact]
    public void A_json_line_has_the_shape_of_the_json_console_formatters()
    {
        var line = Write(new RequestLogLayout(RequestLogFormat.Json, "yyyy-MM-ddTHH:mm:ss.fffZ", useUtcTimestamp: true));

        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line[..^1]);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal("2026-11-26T14:05:00.123Z", root.GetProperty("Timestamp").GetString());
        Assert.Equal(1, root.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        Assert.Equal(RequestLogging.Category, root.GetProperty("Category").GetString());
        Assert.Equal("GET /a%20b 404 1.234ms", root.GetProperty("Message").GetString());
        var state = root.GetProperty("State");
        Assert.Equal("GET", state.GetProperty("Method").GetString());
        Assert.Equal("/a%20b", state.GetProperty("Path").GetString());
        Assert.Equal(404, state.GetProperty("StatusCode").GetInt32());
        Assert.Equal(1.234, state.GetProperty("ElapsedMilliseconds").GetDouble());
    }

    [Fact]
    public void The_layout_follows_the_console_settings()
    {
        var simple = new SimpleConsoleFormatterOptions { TimestampFormat = "HH:mm:ss ", UseUtcTimestamp = true };
        var systemd = new ConsoleFormatterOptions();
        var json = new JsonConsoleFormatterOptions { TimestampFormat = null };
        string WriteWith(string formatter) =>
            Write(RequestLogLayout.From(new ConsoleLoggerOptions { FormatterName = formatter }, simple, systemd, json));

        Assert.StartsWith("14:05:00 info: ", WriteWith("simple"), StringComparison.Ordinal);
        Assert.StartsWith("<6>MinikubeDemo", WriteWith("systemd"), StringComparison.Ordinal);
        // As the console logger matches formatter names: ignoring case.
        Assert.StartsWith("{\"EventId\":1,", WriteWith("json"), StringComparison.Ordinal);
        Assert.StartsWith("{\"EventId\":1,", WriteWith("JSON"), StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_that_arrive_together_leave_in_few_writes_of_whole_lines_in_order()
    {
        // Stuck while the lines arrive, so that they all gather whatever the scheduler does.
        var output = new RecordingStream { Blocked = true };
        var lines = Enumerable.Range(0, 2000).Select(i => $"GET /item/{i} 200 0.100ms\n").ToList();
        var bytes = lines.Sum(line => line.Length);

        using (var writer = new RequestLogWriter(output))
        {
            foreach (var line in lines)
            {
                writer.Append(Encoding.UTF8.GetBytes(line));
            }
            output.Blocked = false;
        }

        var writes = output.Writes;
        Assert.Equal(string.Concat(lines), string.Concat(writes.Select(w => Encoding.UTF8.GetString(w))));
        // At most two batches (the one taken before the writer got stuck, and the rest), each in writes of at most
        // PIPE_BUF cut at line ends: a handful of system calls for 2,000 lines.
        Assert.InRange(writes.Count, 1, 2 * (bytes / (RequestLogWriter.MaxWriteBytes - 64) + 1));
        Assert.All(writes, w => Assert.InRange(w.Length, 1, RequestLogWriter.MaxWriteBytes));
        Assert.All(writes, w => Assert.Equal((byte)'\n', w[^1]));
    }

    [Fact]
    public void A_stuck_reader_costs_dropped_lines_that_are_counted_not_blocked_requests()
    {
        var output = new RecordingStream { Blocked = true };
        var line = Encoding.UTF8.GetBytes(new string('x', 999) + "\n");
        using var writer = new RequestLogWriter(output);
        writer.Append(line);
        Assert.True(output.WriteStarted.Wait(TimeSpan.FromSeconds(10), Ct), "the writer never started writing");

        // The writer is stuck in write(2) with the first line; these fill the pending buffer and then overflow it.
        var fits = RequestLogWriter.MaxPendingBytes / line.Length;
        for (var i = 0; i < fits + 52; i++)
        {
            writer.Append(line);
        }
        output.Blocked = false;
        writer.Dispose();

        var text = string.Concat(output.Writes.Select(w => Encoding.UTF8.GetString(w)));
        Assert.Equal(1 + fits, text.Split('\n').Count(l => l.StartsWith('x')));
        Assert.EndsWith("\n52 request log lines dropped: standard output did not keep up\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposing_writes_what_is_queued_and_later_lines_are_ignored()
    {
        var output = new RecordingStream();
        var writer = new RequestLogWriter(output);
        writer.Append("first\n"u8);
        writer.Append("second\n"u8);

        writer.Dispose();
        writer.Append("after\n"u8);

        Assert.Equal("first\nsecond\n", string.Concat(output.Writes.Select(w => Encoding.UTF8.GetString(w))));
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task The_real_process_writes_each_request_once_to_standard_output(string formatter)
    {
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name,
            new Dictionary<string, string> { ["Logging__Console__FormatterName"] = formatter }, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        (await client.GetAsync("/", Ct)).Dispose();
        (await client.GetAsync("/healthz", Ct)).Dispose();

        var requestLines = await server.WaitForOutputAsync(l => l.Contains(RequestLogging.Category, StringComparison.Ordinal), 2, TimeSpan.FromSeconds(10));
        // Once each: the console logger, which would print it too, is filtered off this category.
        await Task.Delay(RequestLogWriter.BatchWindow * 50, Ct);
        Assert.Equal(2, server.OutputLines.Count(l => l.Contains(RequestLogging.Category, StringComparison.Ordinal)));
        var root = Assert.Single(requestLines, l => l.Contains("GET / 200 ", StringComparison.Ordinal));
        if (formatter == "json")
        {
            // Every line of the service, the request log's and the console logger's, is one JSON object.
            Assert.All(server.OutputLines, l => JsonDocument.Parse(l).Dispose());
            using var line = JsonDocument.Parse(root);
            Assert.Equal("/", line.RootElement.GetProperty("State").GetProperty("Path").GetString());
            Assert.Equal(200, line.RootElement.GetProperty("State").GetProperty("StatusCode").GetInt32());
        }
        else
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: MinikubeDemo\.RequestLog\[1\] GET / 200 \d+\.\d{3}ms$", root);
        }
    }

    [Fact]
    public async Task Its_log_level_silences_it_like_any_category()
    {
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name,
            new Dictionary<string, string> { ["Logging__LogLevel__MinikubeDemo.RequestLog"] = "Warning", ["Shutdown__DrainDelay"] = "00:00:00" }, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        (await client.GetAsync("/", Ct)).Dispose();
        server.SendSigterm();
        // The writer writes what it holds before the process ends, so a line would be in the output by now.
        var output = await server.OutputAfterExitAsync(Ct);

        Assert.Contains(output, l => l.Contains("Application is shutting down", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => l.Contains(RequestLogging.Category, StringComparison.Ordinal));
    }

    private static string Write(RequestLogLayout layout)
    {
        var buffer = new ArrayBufferWriter<byte>();
        layout.Write(Entry, At, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Standard output as the writer sees it: each write recorded; optionally stuck, like a pipe nobody reads.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly List<byte[]> _writes = [];
        private readonly ManualResetEventSlim _unblocked = new(initialState: true);

        public ManualResetEventSlim WriteStarted { get; } = new();

        public bool Blocked
        {
            get => !_unblocked.IsSet;
            set
            {
                if (value)
                {
                    _unblocked.Reset();
                }
                else
                {
                    _unblocked.Set();
                }
            }
        }

        public IReadOnlyList<byte[]> Writes
        {
            get
            {
                lock (_writes)
                {
                    return [.. _writes];
                }
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            WriteStarted.Set();
            _unblocked.Wait();
            lock (_writes)
            {
                _writes.Add(buffer.ToArray());
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _unblocked.Dispose();
                WriteStarted.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
