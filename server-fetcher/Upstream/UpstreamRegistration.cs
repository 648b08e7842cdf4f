using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults.Logging;
using MinikubeDemo.ServiceDefaults.Settings;
using OpenTelemetry.Metrics;
using Polly;

namespace MinikubeDemo.ServerFetcher.Upstream;

public static partial class UpstreamRegistration
{
    internal const string ClientName = "upstream";

    /// <summary>
    /// The upstream settings, the client of the server and its resilience pipeline, from the outside in: a total
    /// timeout; retries with jittered exponential backoff; a circuit breaker; a timeout per attempt.
    /// </summary>
    /// <remarks>
    /// Microsoft.Extensions.Http.Resilience (Polly underneath) rather than a pipeline of Polly's own around the call: it
    /// publishes under Native AOT with no warning and its HTTP predicates and Retry-After delay replace code of ours, at no
    /// cost the bench can show (fetcher → server, same session: 9,911 req per CPU-s and a 20.9 MB binary, against 9,722 and
    /// 20.7 MB with Polly's own pipeline; bench/TUNING.md).
    /// </remarks>
    public static IHostApplicationBuilder AddUpstreamClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<UpstreamOptions>().BindConfiguration(UpstreamOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();
        builder.CheckSection<UpstreamOptions>(UpstreamOptions.SectionName);
        // One client over one handler for the life of the process: PooledConnectionLifetime rotates its connections (not the
        // factory's handler lifetime), and the pipeline's timeouts bound each call (not HttpClient's).
        builder.Services.AddKeyedSingleton(ClientName, (services, _) => services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName));
        var client = builder.Services.AddHttpClient(ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => Connections(services.GetRequiredService<IOptions<UpstreamOptions>>().Value))
            // The fetcher logs a failure itself, in one line; the factory would add four lines to every call.
            .RemoveAllLoggers();
        client.AddResilienceHandler("pipeline", Pipeline);
        // Inside the pipeline, so that it runs once per attempt.
        client.AddHttpMessageHandler(services => new UpstreamAttemptHandler(services.GetRequiredService<IOptions<UpstreamOptions>>().Value.MaxResponseBytes));
        // Polly's events as metrics (every retry, timeout and circuit change); its duration histograms are in milliseconds,
        // which promtool rejects, and repeat HttpClient's http.client.request.duration.
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter("Polly")
            .AddView("resilience.polly.strategy.attempt.duration", MetricStreamConfiguration.Drop)
            .AddView("resilience.polly.pipeline.duration", MetricStreamConfiguration.Drop));
        return builder;
    }

    private static SocketsHttpHandler Connections(UpstreamOptions options) => new()
    {
        PooledConnectionLifetime = options.PooledConnectionLifetime,
        // Of several resolved addresses each gets half the attempt (at most 250 ms) to accept: a cluster connects in microseconds.
        ConnectCallback = new RoundRobinConnector(TimeSpan.FromTicks(Math.Min(options.AttemptTimeout.Ticks / 2, TimeSpan.FromMilliseconds(250).Ticks))).ConnectAsync,
        // Inside the cluster: no egress proxy from HTTP_PROXY, no redirect followed (a 3xx is a bad answer), no cookie jar shared by all callers.
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
    };

    private static void Pipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptions<UpstreamOptions>>().Value;
        var logger = context.ServiceProvider.GetRequiredService<ILogger<UpstreamCall>>();
        pipeline.AddTimeout(options.TotalTimeout);
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // The delay is an upstream's Retry-After when it sends one (ShouldRetryAfterHeader), within the total
                // budget: when the wait and one more attempt no longer fit, no retry at all (sooner would ignore what it
                // asked, later would break the budget), and the 502 passes its Retry-After on to the caller.
                ShouldHandle = args =>
                {
                    var call = UpstreamCall.Of(args.Outcome.Result?.RequestMessage);
                    var pastBudget = call?.RetryAfter(args.Outcome.Result!) is { } wait && !call.CanWaitAndRetry(wait, options);
                    call?.RetryAfterPastBudget = pastBudget;
                    return ValueTask.FromResult(!pastBudget && IsTransient(args.Outcome));
                },
                OnRetry = args =>
                {
                    LogRetrying(logger, args.AttemptNumber + 1, Reason(args.Outcome), args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
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
                LogCircuitOpened(logger, args.BreakDuration.TotalSeconds, Reason(args.Outcome));
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                LogCircuitClosed(logger);
                return ValueTask.CompletedTask;
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

    // What the pipeline did, one line each: Polly's own log lines are off (LoggingDefaults).
    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Upstream attempt {Attempt} failed ({Reason}); retrying in {DelayMilliseconds:0} ms")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason, double delayMilliseconds);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "Upstream circuit opened for {BreakSeconds:0.###} s after repeated failures ({Reason})")]
    private static partial void LogCircuitOpened(ILogger logger, double breakSeconds, string reason);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Upstream circuit closed: the upstream answers again")]
    private static partial void LogCircuitClosed(ILogger logger);
}
