using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.ServiceDefaults.Settings;
using OpenTelemetry.Metrics;
using Polly;

namespace MinikubeDemo.ServerFetcher.Upstream;

public static class UpstreamRegistration
{
    public const string ClientName = "upstream";

    /// <summary>
    /// The upstream settings (validated at start), the <see cref="UpstreamClient"/>, and its resilience pipeline, from
    /// the outside in: a total timeout over everything; retries with jittered exponential backoff; a circuit breaker
    /// that stops hammering an upstream that keeps failing; a timeout per attempt.
    /// </summary>
    /// <remarks>
    /// Microsoft.Extensions.Http.Resilience (Polly underneath) rather than a pipeline of Polly's own around the call:
    /// it publishes under Native AOT with no warning, and its HTTP predicates and Retry-After handling replace code of
    /// ours. Measured with the bench harness (fetcher → server, one round each, alternated; bench/TUNING.md): TODO.
    /// </remarks>
    public static IHostApplicationBuilder AddUpstreamClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<UpstreamOptions>().BindConfiguration(UpstreamOptions.SectionName).ValidateOnStart();
        builder.AddSettingsCheck<UpstreamOptions, UpstreamOptionsValidator>(UpstreamOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UpstreamClient>();
        var client = builder.Services.AddHttpClient(ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan) // The pipeline's timeouts bound every call.
            // The factory's own handler rotation is not needed: PooledConnectionLifetime rotates the connections.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => Connections(services.GetRequiredService<IOptions<UpstreamOptions>>().Value))
            // The fetcher logs what went wrong itself, one line per failure; the factory's per-request lines would be four more.
            .RemoveAllLoggers();
        client.AddResilienceHandler("pipeline", Pipeline);
        // Inside the pipeline, so that it runs once per attempt.
        client.AddHttpMessageHandler(services =>
        {
            var options = services.GetRequiredService<IOptions<UpstreamOptions>>().Value;
            return new UpstreamAttemptHandler(new Uri(options.BaseUrl, UriKind.Absolute), options.MaxResponseBytes);
        });

        // Polly's own telemetry as metrics: every retry, timeout and circuit change (resilience.polly.strategy.events);
        // its per-attempt log lines stay off (LoggingDefaults). Its two duration histograms are dropped: they are in
        // milliseconds, which Prometheus's conventions (and promtool) reject, and each attempt's duration and outcome
        // is HttpClient's http.client.request.duration already, in seconds.
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter("Polly")
            .AddView("resilience.polly.strategy.attempt.duration", MetricStreamConfiguration.Drop)
            .AddView("resilience.polly.pipeline.duration", MetricStreamConfiguration.Drop));
        return builder;
    }

    private static SocketsHttpHandler Connections(UpstreamOptions options) => new()
    {
        PooledConnectionLifetime = options.PooledConnectionLifetime,
        // How long one of several resolved addresses may take to accept before the next is tried: a connection inside
        // a cluster is made in well under a millisecond, and the rest of the attempt is left for the answer.
        ConnectCallback = new RoundRobinConnector(TimeSpan.FromTicks(Math.Min(options.AttemptTimeout.Ticks / 2, TimeSpan.FromMilliseconds(250).Ticks))).ConnectAsync,
        AutomaticDecompression = DecompressionMethods.None,
        // A call to a service inside the cluster: never through an egress proxy from HTTP_PROXY, never following a
        // redirect elsewhere (a 3xx is the server's answer, and not a good one), and no cookie jar, which this one
        // client would share among all the fetcher's callers. Each is also one handler layer less on every request.
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
    };

    private static void Pipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptions<UpstreamOptions>>().Value;
        var logger = context.ServiceProvider.GetRequiredService<ILogger<UpstreamClient>>();
        pipeline.AddTimeout(options.TotalTimeout);
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // ShouldRetryAfterHeader (on by default) waits as long as an upstream's Retry-After asks. That is honoured
                // within the total budget: when the wait and one more attempt no longer fit, no retry at all (sooner would
                // ignore what it asked, later would break the budget), and the 502 passes its Retry-After on to the caller.
                ShouldHandle = args =>
                {
                    if (args.Outcome.Result is { } response && UpstreamCall.Of(response.RequestMessage) is { } call
                        && call.RetryAfter(response) is { } wait && !call.CanWaitAndRetry(wait, options))
                    {
                        call.RetryAfterPastBudget = true;
                        return ValueTask.FromResult(false);
                    }
                    return ValueTask.FromResult(IsTransient(args.Outcome));
                },
                OnRetry = args =>
                {
                    UpstreamLog.Retrying(logger, args.AttemptNumber + 1, Reason(args.Outcome), args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumThroughput,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
            OnOpened = args =>
            {
                UpstreamLog.CircuitOpened(logger, args.BreakDuration.TotalSeconds, Reason(args.Outcome));
                return default;
            },
            OnClosed = _ =>
            {
                UpstreamLog.CircuitClosed(logger);
                return default;
            },
        });
        pipeline.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>
    /// Transient: no connection, an attempt timed out, a 5xx/408/429 (the platform's predicate), or a connection lost
    /// mid-body (an IOException from the attempt's read). A malformed answer is not: asking again gets the same answer.
    /// </summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome) || outcome.Exception is IOException;

    /// <summary>Why an attempt failed; an exception's message may quote the upstream's bytes, so it is escaped.</summary>
    private static string Reason(Outcome<HttpResponseMessage> outcome) =>
        LogText.Escape(outcome.Exception?.Message ?? $"it answered {(int?)outcome.Result?.StatusCode}");
}
