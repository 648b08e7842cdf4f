using System.Text.Json;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Telemetry.Tests;

/// <summary>
/// One trace covers client → fetcher → server: the fetcher's call to the server is a child of its request's span
/// and carries W3C traceparent, and the server's request runs under it; the JSON log lines carry the same ids.
/// </summary>
public sealed class TraceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_traces_exported_the_servers_request_is_a_child_of_the_fetchers_call_in_the_trace_the_fetcher_started()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var services = await Services.StartAsync(new Dictionary<string, string>(JsonLogs)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        }, Ct);

        // No traceparent: the fetcher starts the trace.
        await services.FetchAsync(1, Ct);

        var fetcherLine = Ids(await RootRequestLineAsync(services.Fetcher));
        var serverLine = Ids(await RootRequestLineAsync(services.Server));
        Assert.Equal(new string('0', 16), fetcherLine.ParentId);
        Assert.Equal(fetcherLine.TraceId, serverLine.TraceId);

        var spans = await Eventually.UntilAsync(() => Task.FromResult(receiver.Spans),
            seen => new[] { fetcherLine.SpanId, serverLine.ParentId, serverLine.SpanId }.All(id => seen.Any(s => s.SpanId == id)), TimeSpan.FromSeconds(30),
            seen => $"{seen.Count} spans received: {string.Join(", ", seen)}", pollInterval: TimeSpan.FromMilliseconds(200));
        var fetcherRequest = Assert.Single(spans, s => s.SpanId == fetcherLine.SpanId);
        var upstreamCall = Assert.Single(spans, s => s.SpanId == serverLine.ParentId);
        var serverRequest = Assert.Single(spans, s => s.SpanId == serverLine.SpanId);

        Assert.Equal((SpanKind.Server, ""), (fetcherRequest.Kind, fetcherRequest.ParentSpanId));
        Assert.Equal((SpanKind.Client, fetcherRequest.SpanId), (upstreamCall.Kind, upstreamCall.ParentSpanId));
        Assert.Equal((SpanKind.Server, upstreamCall.SpanId), (serverRequest.Kind, serverRequest.ParentSpanId));
        Assert.All([fetcherRequest, upstreamCall, serverRequest], span => Assert.Equal(fetcherLine.TraceId, span.TraceId));
        Assert.Equal("GET /", serverRequest.Name);
    }

    [Fact]
    public async Task Without_an_exporter_a_sampled_callers_trace_still_runs_through_both_and_an_untraced_request_makes_none()
    {
        const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string CallerSpanId = "00f067aa0ba902b7";
        using var services = await Services.StartAsync(JsonLogs, Ct);
        using var client = new HttpClient { BaseAddress = services.Fetcher.BaseAddress };
        using var traced = new HttpRequestMessage(HttpMethod.Get, "/");
        traced.Headers.Add("traceparent", $"00-{TraceId}-{CallerSpanId}-01");

        (await client.SendAsync(traced, Ct)).EnsureSuccessStatusCode().Dispose();

        var fetcherLine = Ids(await RootRequestLineAsync(services.Fetcher));
        var serverLine = Ids(await RootRequestLineAsync(services.Server));
        Assert.Equal((TraceId, CallerSpanId), (fetcherLine.TraceId, fetcherLine.ParentId));
        Assert.Equal(TraceId, serverLine.TraceId);
        // The server's parent is the fetcher's call to it, a child of the fetcher's request span.
        Assert.NotEqual(fetcherLine.SpanId, serverLine.ParentId);
        Assert.Matches("^[0-9a-f]{16}$", serverLine.ParentId);

        // Neither a traceparent that is not sampled nor none at all costs an Activity: the lines have no trace.
        // (Counted from here: a first call may have been retried, and the server has a line for each attempt.)
        var before = new[] { services.Fetcher, services.Server }.ToDictionary(s => s, s => s.OutputLines.Count(IsRootRequestLine));
        using var unsampled = new HttpRequestMessage(HttpMethod.Get, "/");
        unsampled.Headers.Add("traceparent", $"00-{TraceId}-{CallerSpanId}-00");
        (await client.SendAsync(unsampled, Ct)).EnsureSuccessStatusCode().Dispose();
        (await client.GetAsync("/", Ct)).EnsureSuccessStatusCode().Dispose();
        foreach (var service in new[] { services.Fetcher, services.Server })
        {
            var lines = await service.WaitForOutputAsync(IsRootRequestLine, before[service] + 2, TimeSpan.FromSeconds(10));
            Assert.All(lines.Skip(before[service]), line => Assert.Null(TraceScope(line)));
        }
    }

    private static readonly Dictionary<string, string> JsonLogs = new() { ["Logging__Console__FormatterName"] = "json" };

    private static bool IsRootRequestLine(string line) =>
        line.Contains(RequestLogging.Category, StringComparison.Ordinal) && line.Contains("\"Path\":\"/\"", StringComparison.Ordinal);

    private static async Task<string> RootRequestLineAsync(ServiceProcess service) =>
        (await service.WaitForOutputAsync(IsRootRequestLine, 1, TimeSpan.FromSeconds(10)))[0];

    private static (string TraceId, string SpanId, string ParentId) Ids(string jsonLine)
    {
        var scope = TraceScope(jsonLine) ?? throw new Xunit.Sdk.XunitException($"no trace ids in {jsonLine}");
        return (scope.GetProperty("TraceId").GetString()!, scope.GetProperty("SpanId").GetString()!, scope.GetProperty("ParentId").GetString()!);
    }

    /// <summary>The scope the logger's activity tracking adds to a JSON line, if the line was written inside a trace.</summary>
    private static JsonElement? TraceScope(string jsonLine)
    {
        using var line = JsonDocument.Parse(jsonLine);
        foreach (var scope in line.RootElement.GetProperty("Scopes").EnumerateArray())
        {
            if (scope.TryGetProperty("TraceId", out _))
            {
                return scope.Clone();
            }
        }
        return null;
    }
}
