using System.Globalization;
using CliWrap.Buffered;
using CliWrap;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Telemetry.Tests;

/// <summary>The services' metrics in a real Prometheus, both ways it can get them: scraping /metrics, and OTLP pushes.</summary>
public sealed class MetricsTests
{
    private const int Requests = 20;

    /// <summary>The fetcher's default Upstream__MaxRetryAttempts.</summary>
    private const int FetcherRetries = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prometheus_scrapes_the_request_durations_and_the_upstream_calls_from_metrics()
    {
        using var services = await Services.StartAsync(new Dictionary<string, string>(), Ct);
        using var prometheus = await Prometheus.StartAsync(ServiceProcess.FreePort(), new Dictionary<string, Uri>
        {
            ["server"] = services.Server.BaseAddress,
            ["fetcher"] = services.Fetcher.BaseAddress,
        }, Ct);

        await services.FetchAsync(Requests, Ct);

        // ASP.NET Core's request-duration histogram on the server, with its buckets.
        await prometheus.EventuallyAtLeastAsync("""sum(http_server_request_duration_seconds_count{job="server",http_route="/"})""", Requests, Ct);
        await prometheus.EventuallyAtLeastAsync("""count(http_server_request_duration_seconds_bucket{job="server",http_route="/"})""", 2, Ct);
        // The fetcher's calls to the server: HttpClient's duration of each attempt, and Polly's pipeline events.
        await prometheus.EventuallyAtLeastAsync(
            """sum(http_client_request_duration_seconds_count{job="fetcher",server_address="127.0.0.1",http_response_status_code="200"})""", Requests, Ct);
        await prometheus.EventuallyAtLeastAsync(
            """sum(resilience_polly_strategy_events_total{job="fetcher",pipeline_name="upstream-pipeline",event_name="PipelineExecuting"})""", Requests, Ct);
        // And the runtime's.
        await prometheus.EventuallyAtLeastAsync("""sum(dotnet_gc_heap_total_allocated_bytes_total{job="fetcher"})""", 1, Ct);

        // With the server gone, each call is retried: the retries are counted, and so are the failed attempts.
        services.Server.Kill();
        using var client = new HttpClient { BaseAddress = services.Fetcher.BaseAddress };
        (await client.GetAsync("/", Ct)).Dispose();
        await prometheus.EventuallyAtLeastAsync(
            """sum(resilience_polly_strategy_events_total{job="fetcher",pipeline_name="upstream-pipeline",event_name="OnRetry"})""", FetcherRetries, Ct);
        await prometheus.EventuallyAtLeastAsync(
            """sum(http_client_request_duration_seconds_count{job="fetcher",error_type!=""})""", FetcherRetries + 1, Ct);
    }

    /// <summary>
    /// Debian's Prometheus is built without its OTLP receiver (its changelog: "Disable OTLP Ingestion endpoint"), so
    /// the pushes go to an OTLP receiver in the test instead; the metrics are the ones Prometheus scrapes.
    /// </summary>
    [Fact]
    public async Task The_same_metrics_are_pushed_over_otlp_where_an_endpoint_is_set()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var services = await Services.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        }, Ct);

        await services.FetchAsync(Requests, Ct);

        foreach (var (service, metric) in new[]
        {
            (DemoContract.Server.Name, "http.server.request.duration"),
            (DemoContract.Fetcher.Name, "http.server.request.duration"),
            (DemoContract.Fetcher.Name, "http.client.request.duration"),
            (DemoContract.Fetcher.Name, "resilience.polly.strategy.events"),
            (DemoContract.Server.Name, "dotnet.gc.heap.total_allocated"),
        })
        {
            await Eventually.UntilAsync(() => Task.FromResult(receiver.Metric(service, metric)), total => total >= Requests, TimeSpan.FromSeconds(30),
                total => $"{service} pushed {metric} = {total?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, expected at least {Requests}",
                pollInterval: TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public async Task Promtool_accepts_each_metrics_page()
    {
        var promtool = Prometheus.Tool("promtool");
        using var services = await Services.StartAsync(new Dictionary<string, string>(), Ct);
        await services.FetchAsync(1, Ct);
        using var http = new HttpClient();

        foreach (var service in new[] { services.Server, services.Fetcher })
        {
            var page = await http.GetStringAsync(new Uri(service.BaseAddress, "/metrics"), Ct);
            var check = await Cli.Wrap(promtool).WithArguments(["check", "metrics"]).WithStandardInputPipe(PipeSource.FromString(page))
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(Ct);

            Assert.True(check.ExitCode == 0, $"promtool check metrics exited {check.ExitCode} for {service.BaseAddress}: {check.StandardOutput}{check.StandardError}");
            Assert.Contains("http_server_request_duration_seconds_bucket", page, StringComparison.Ordinal);
        }
    }
}
