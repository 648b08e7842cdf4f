using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Server.Tests;

/// <summary>
/// The request log: the entry it hands the logger, and what the real process writes to standard output through
/// the console logger, for requests the pipeline answered and for those Kestrel rejected itself.
/// </summary>
public sealed class RequestLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_line_has_method_path_status_and_milliseconds_to_the_microsecond_and_other_providers_see_each_value()
    {
        await using var app = new ServerApp();
        using var client = app.CreateClient();

        (await client.GetAsync("/a%20b", Ct)).Dispose();

        var line = Assert.Single(app.Services.GetFakeLogCollector().GetSnapshot(), r => r.Category == RequestLogging.Category);
        Assert.Matches(@"^GET /a%20b 404 \d+\.\d{3}ms$", line.Message);
        var values = line.StructuredState!.ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal(("GET", "/a%20b", "404"), (values["Method"], values["Path"], values["StatusCode"]));
        Assert.True(double.TryParse(values["ElapsedMilliseconds"], System.Globalization.CultureInfo.InvariantCulture, out _), values["ElapsedMilliseconds"]);
        Assert.Equal("{Method} {Path} {StatusCode} {ElapsedMilliseconds:0.000}ms", values["{OriginalFormat}"]);
    }

    [Fact]
    public async Task Fields_from_outside_are_cut()
    {
        await using var app = new ServerApp();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(new string('X', 5000)), "/" + new string('p', 5000));

        (await client.SendAsync(request, Ct)).Dispose();

        var line = Assert.Single(app.Services.GetFakeLogCollector().GetSnapshot(), r => r.Category == RequestLogging.Category);
        var values = line.StructuredState!.ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal(new string('X', RequestLogging.MaxMethodLength) + "...", values["Method"]);
        Assert.Equal("/" + new string('p', LogText.DefaultMaxLength - 1) + "...", values["Path"]);
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task The_real_process_writes_each_request_once_to_standard_output(string formatter)
    {
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name, Formatter(formatter), Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        (await client.GetAsync("/", Ct)).Dispose();
        (await client.GetAsync("/healthz", Ct)).Dispose();

        var requestLines = await server.WaitForOutputAsync(IsRequestLog, 2, TimeSpan.FromSeconds(10));
        // Each exactly once, in the console logger's layout.
        await Task.Delay(TimeSpan.FromMilliseconds(200), Ct);
        Assert.Equal(2, server.OutputLines.Count(IsRequestLog));
        var root = Assert.Single(requestLines, l => l.Contains("GET / 200 ", StringComparison.Ordinal));
        if (formatter == "json")
        {
            // Every line of the service is one JSON object.
            Assert.All(server.OutputLines, l => JsonDocument.Parse(l).Dispose());
            using var line = JsonDocument.Parse(root);
            Assert.Equal(RequestLogging.Category, line.RootElement.GetProperty("Category").GetString());
            Assert.Matches(@"^GET / 200 \d+\.\d{3}ms$", line.RootElement.GetProperty("Message").GetString());
            Assert.Equal("/", line.RootElement.GetProperty("State").GetProperty("Path").GetString());
            Assert.Equal(200, line.RootElement.GetProperty("State").GetProperty("StatusCode").GetInt32());
        }
        else
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: MinikubeDemo\.RequestLog\[1\] GET / 200 \d+\.\d{3}ms$", root);
        }
    }

    [Fact]
    public async Task A_json_line_carries_the_trace_and_span_of_its_request()
    {
        const string TraceId = "0af7651916cd43dd8448eb211c80319c";
        const string CallerSpanId = "b7ad6b7169203331";
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name, Formatter("json"), Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("traceparent", $"00-{TraceId}-{CallerSpanId}-01");

        (await client.SendAsync(request, Ct)).Dispose();

        var line = Assert.Single(await server.WaitForOutputAsync(IsRequestLog, 1, TimeSpan.FromSeconds(10)));
        var trace = TraceScope(line);
        Assert.Equal(TraceId, trace.GetProperty("TraceId").GetString());
        Assert.Equal(CallerSpanId, trace.GetProperty("ParentId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", trace.GetProperty("SpanId").GetString());
        Assert.NotEqual(CallerSpanId, trace.GetProperty("SpanId").GetString());
    }

    [Fact]
    public async Task Its_log_level_silences_it_like_any_category()
    {
        using var server = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name,
            new Dictionary<string, string> { ["Logging__LogLevel__MinikubeDemo.RequestLog"] = "Warning", ["Shutdown__DrainDelay"] = "00:00:00" }, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        (await client.GetAsync("/", Ct)).Dispose();
        server.SendSigterm();
        // The console logger writes what it holds before the process ends, so a line would be in the output by now.
        var output = await server.OutputAfterExitAsync(Ct);

        Assert.Contains(output, l => l.Contains("Application is shutting down", StringComparison.Ordinal));
        Assert.DoesNotContain(output, IsRequestLog);
    }

    [Fact]
    public async Task Requests_kestrel_answers_itself_are_logged_too_with_long_fields_cut_in_both_formats()
    {
        // Both formats at once: Kestrel's request headers timeout (30 s) is waited for only once.
        using var simple = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name, Formatter("simple"), Ct);
        using var json = await ServiceProcess.StartDotnetAsync(DemoContract.Server.Name, Formatter("json"), Ct);
        var longMethod = new string('M', 5000);

        async Task<string[]> HostileClients(ServiceProcess server)
        {
            // A slowloris: the request line and one header, then the rest never comes; Kestrel answers 408 itself.
            var slowloris = RawExchangeAsync(server, "GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: "u8.ToArray(), TimeSpan.FromSeconds(60));
            // A method of 5,000 characters (a valid token, so the pipeline answers it, 405) and a request line Kestrel
            // cannot parse (400, before any middleware).
            var longMethodAnswer = await RawExchangeAsync(server, Encoding.ASCII.GetBytes(longMethod + " / HTTP/1.1\r\nHost: x\r\n\r\n"), TimeSpan.FromSeconds(10));
            var garbage = await RawExchangeAsync(server, "GET / HTTP/1.1 garbage\r\n\r\n"u8.ToArray(), TimeSpan.FromSeconds(10));
            return [await slowloris, longMethodAnswer, garbage];
        }

        var answers = await Task.WhenAll(HostileClients(simple), HostileClients(json));

        foreach (var (server, formatter, seen) in new[] { (simple, "simple", answers[0]), (json, "json", answers[1]) })
        {
            Assert.StartsWith("HTTP/1.1 408 ", seen[0], StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 405 ", seen[1], StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 400 ", seen[2], StringComparison.Ordinal);
            var lines = await server.WaitForOutputAsync(IsRequestLog, 3, TimeSpan.FromSeconds(10));
            var messages = lines.Select(l => formatter == "json" ? JsonDocument.Parse(l).RootElement.GetProperty("Message").GetString()! : l).ToList();

            Assert.Single(messages, m => m.EndsWith("GET /slow 408 rejected: Reading the request headers timed out.", StringComparison.Ordinal));
            Assert.Single(messages, m => m.Contains(" 400 rejected: ", StringComparison.Ordinal));
            var longLine = Assert.Single(messages, m => m.Contains(" / 405 ", StringComparison.Ordinal));
            Assert.Contains(new string('M', RequestLogging.MaxMethodLength) + "... / 405 ", longLine, StringComparison.Ordinal);
            Assert.DoesNotContain(new string('M', RequestLogging.MaxMethodLength + 1), longLine, StringComparison.Ordinal);
        }
    }

    private static Dictionary<string, string> Formatter(string formatter) => new() { ["Logging__Console__FormatterName"] = formatter };

    private static bool IsRequestLog(string line) => line.Contains(RequestLogging.Category, StringComparison.Ordinal);

    /// <summary>The scope the logger's activity tracking adds to a JSON line: the trace, span and parent ids.</summary>
    private static JsonElement TraceScope(string jsonLine) =>
        Assert.Single(JsonDocument.Parse(jsonLine).RootElement.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("TraceId", out _)).Clone();

    /// <summary>Sends raw bytes on a new loopback connection and returns the status line of what comes back.</summary>
    private static async Task<string> RawExchangeAsync(ServiceProcess server, byte[] request, TimeSpan timeout)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port, Ct);
        await socket.SendAsync(request, Ct);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        wait.CancelAfter(timeout);
        var buffer = new byte[256];
        var stopwatch = Stopwatch.StartNew();
        var read = await socket.ReceiveAsync(buffer, wait.Token);
        var answer = Encoding.ASCII.GetString(buffer, 0, read);
        return answer.Split("\r\n")[0] + $" (after {stopwatch.Elapsed.TotalSeconds:0.0} s)";
    }
}
