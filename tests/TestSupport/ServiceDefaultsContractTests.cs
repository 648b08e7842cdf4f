using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Hosting;
using MinikubeDemo.ServiceDefaults.Logging;
using OpenTelemetry.Trace;

namespace MinikubeDemo.TestSupport;

/// <summary>
/// What every service of the demo does the same way (service-defaults), checked on each service in process:
/// a test class per service derives from this and says how to start it. Only endpoints that need no upstream
/// are used, so the fetcher is tested without a server.
/// </summary>
public abstract class ServiceDefaultsContractTests<TProgram>
    where TProgram : class
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh in-process instance with its log captured (AddFakeLogging), on a clock of the test's own (FakeTimeProvider), without a drain delay.</summary>
    protected abstract WebApplicationFactory<TProgram> CreateApp();

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_endpoints_answer_healthy_while_serving(string path)
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
        Assert.NotEqual(true, response.Headers.ConnectionClose);
    }

    [Fact]
    public async Task While_draining_readiness_fails_liveness_holds_and_responses_ask_clients_to_reconnect()
    {
        await using var factory = CreateApp();
        await using var app = factory.WithWebHostBuilder(builder => builder.UseSetting("Shutdown:DrainDelay", "00:00:05"));
        using var client = app.CreateClient();
        // The drain waits on the app's clock, which stands still until the checks are done, however long they take.
        var clock = Assert.IsType<FakeTimeProvider>(app.Services.GetRequiredService<TimeProvider>());

        // What SIGTERM does first: the host signals that it is stopping, then drains.
        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync(Ct));
        using var live = await client.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(live.Headers.ConnectionClose, "a draining replica asks keep-alive clients to reconnect elsewhere");

        clock.Advance(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Every_response_names_the_instance_that_served_it()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(InstanceName.FromEnvironment().Value, Assert.Single(response.Headers.GetValues(DemoContract.Headers.Instance)));
    }

    [Fact]
    public async Task Cors_is_open_to_any_origin_like_honos_default()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("Origin", "http://example.test");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Cors_preflight_is_answered()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/");
        request.Headers.Add("Origin", "http://example.test");
        request.Headers.Add("Access-Control-Request-Method", "DELETE");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("DELETE", response.Headers.GetValues("Access-Control-Allow-Methods"));
        Assert.Contains("content-type", response.Headers.GetValues("Access-Control-Allow-Headers"));
    }

    [Theory]
    [InlineData("a CORS preflight", HttpStatusCode.NoContent)]
    [InlineData("an unknown path", HttpStatusCode.NotFound)]
    [InlineData("a method the path does not take", HttpStatusCode.MethodNotAllowed)]
    public async Task Responses_that_no_endpoint_made_name_the_instance_too(string what, HttpStatusCode status)
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();
        using var request = what switch
        {
            "a CORS preflight" => new HttpRequestMessage(HttpMethod.Options, "/")
            {
                Headers = { { "Origin", "http://example.test" }, { "Access-Control-Request-Method", "GET" } },
            },
            "an unknown path" => new HttpRequestMessage(HttpMethod.Get, "/missing"),
            _ => new HttpRequestMessage(HttpMethod.Delete, "/healthz"),
        };

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(InstanceName.FromEnvironment().Value, Assert.Single(response.Headers.GetValues(DemoContract.Headers.Instance)));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/openapi/v1.json")]
    public async Task Head_answers_wherever_get_does_with_its_status_and_headers_and_no_body(string path)
    {
        // On Kestrel, which is what leaves the body out of a HEAD answer, and read off the wire: a client that
        // knows it sent HEAD would never look for a body.
        await using var app = CreateApp();
        // An endpoint of Kestrel's own: UseKestrel(0) sets the address only once the app may already be starting on 8000.
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        using var client = app.CreateClient();

        var get = await RawExchangeAsync(client.BaseAddress!, "GET", path);
        var head = await RawExchangeAsync(client.BaseAddress!, "HEAD", path);

        Assert.Equal(get.Status, head.Status);
        Assert.NotEqual(405, head.Status);
        Assert.Equal(get.Header("Content-Type"), head.Header("Content-Type"));
        Assert.True(head.Header(DemoContract.Headers.Instance) == InstanceName.FromEnvironment().Value,
            $"HEAD {path} answered {head.Status} with {string.Join(" | ", head.HeaderLines)}; GET with {string.Join(" | ", get.HeaderLines)}");
        Assert.NotEmpty(get.Body);
        Assert.Empty(head.Body);
    }

    [Fact]
    public async Task Methods_not_allowed_list_head_beside_get()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();

        using var response = await client.DeleteAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_openapi_document_does_not_echo_the_callers_host()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "evil.example:666";

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("evil.example", text, StringComparison.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(text);
        Assert.False(document.RootElement.TryGetProperty("servers", out var servers) && servers.GetArrayLength() > 0,
            $"servers is {servers}: without one, a client takes the URLs relative to where it fetched the document");
        // Still a whole document, not an empty answer.
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/", out _));
    }

    /// <summary>What a server sent back to one request on a connection of its own, read to its end.</summary>
    private sealed record RawResponse(int Status, IReadOnlyList<string> HeaderLines, byte[] Body)
    {
        public string? Header(string name) => HeaderLines
            .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(line => line[(name.Length + 1)..].Trim())
            .SingleOrDefault();
    }

    private static async Task<RawResponse> RawExchangeAsync(Uri server, string method, string path)
    {
        // Kestrel on port 0 listens on IPv4 loopback only; "localhost" could lead to whatever another process has
        // on the same port number on ::1.
        var address = IPAddress.TryParse(server.Host, out var literal) ? literal : IPAddress.Loopback;
        using var tcp = new System.Net.Sockets.TcpClient(address.AddressFamily);
        await tcp.ConnectAsync(address, server.Port, Ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"), Ct);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, Ct);
        var bytes = received.ToArray();
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(headEnd >= 0, $"no whole response head in {bytes.Length} bytes");
        var lines = System.Text.Encoding.ASCII.GetString(bytes, 0, headEnd).Split("\r\n");
        return new RawResponse(int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), lines[1..], bytes[(headEnd + 4)..]);
    }

    [Fact]
    public async Task Every_request_is_logged_once_with_method_path_status_and_duration()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();
        var collector = app.Services.GetFakeLogCollector();
        collector.Clear();

        (await client.GetAsync("/healthz", Ct)).Dispose();
        (await client.GetAsync("/missing", Ct)).Dispose();

        var lines = collector.GetSnapshot().Where(r => r.Category == RequestLogging.Category).ToList();
        Assert.Collection(lines,
            r => Assert.Matches(@"^GET /healthz 200 \d+(\.\d+)?ms$", r.Message),
            r => Assert.Matches(@"^GET /missing 404 \d+(\.\d+)?ms$", r.Message));
        Assert.All(lines, r => Assert.Equal(LogLevel.Information, r.Level));
        // ASP.NET Core's own per-request lines are off by default, so a request makes one line, not three.
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Category == "Microsoft.AspNetCore.Hosting.Diagnostics");
    }

    [Fact]
    public void Console_logs_are_single_line_text_by_default()
    {
        using var app = CreateApp();

        var options = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var simple = app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;

        Assert.Equal(ConsoleFormatterNames.Simple, options.FormatterName);
        Assert.True(simple.SingleLine);
        Assert.False(simple.IncludeScopes);
        // A stalled standard output costs log lines, not blocked requests.
        Assert.Equal(ConsoleLoggerQueueFullMode.DropWrite, options.QueueFullMode);
        Assert.Equal(10_000, options.MaxQueueLength);
    }

    [Fact]
    public void Json_console_logs_are_one_setting_away()
    {
        using var app = CreateApp().WithWebHostBuilder(b => b.UseSetting("Logging:Console:FormatterName", "json"));

        var options = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var json = app.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;

        Assert.Equal(ConsoleFormatterNames.Json, options.FormatterName);
        // The same timestamp as the text lines, without the separator space that only a text line needs.
        Assert.Equal("yyyy-MM-ddTHH:mm:ss.fffZ", json.TimestampFormat);
        Assert.True(json.UseUtcTimestamp);
        // Where the trace and span ids of a line go.
        Assert.True(json.IncludeScopes);
        Assert.Equal(ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId,
            app.Services.GetRequiredService<IOptions<LoggerFactoryOptions>>().Value.ActivityTrackingOptions);
    }

    [Fact]
    public async Task Metrics_are_served_for_prometheus_at_metrics()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();
        (await client.GetAsync("/healthz", Ct)).Dispose();

        using var response = await client.GetAsync("/metrics", Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", page, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_count{", page, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_heap_total_allocated_bytes_total", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Tracing_is_set_up_only_where_traces_are_exported()
    {
        using (var app = CreateApp())
        {
            Assert.Null(app.Services.GetService<TracerProvider>());
        }
        using (var app = CreateApp().WithWebHostBuilder(b => b.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")))
        {
            Assert.NotNull(app.Services.GetService<TracerProvider>());
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_get_and_leaves_out_its_head_twin()
    {
        await using var app = CreateApp();
        using var client = app.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct));
        var root = document.RootElement.GetProperty("paths").GetProperty("/");

        Assert.True(root.GetProperty("get").GetProperty("responses").TryGetProperty("200", out _));
        Assert.False(root.TryGetProperty("head", out _), "HEAD follows GET by definition; the document describes GET once");
    }
}
