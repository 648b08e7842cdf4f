using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MinikubeDemo.ServiceDefaults.Logging;
using OpenTelemetry.Metrics;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace MinikubeDemo.ServerFetcher.Upstream;

public static class UpstreamServiceCollectionExtensions
{
    /// <summary>The meter Polly.Extensions reports resilience events and durations on.</summary>
    public const string PollyMeterName = "Polly";

    /// <summary>
    /// The upstream settings (validated at start), the <see cref="UpstreamClient"/>, and its Polly pipeline,
    /// from the outside in: a total timeout over everything; retries with jittered exponential backoff; a
    /// circuit breaker that stops hammering an upstream that keeps failing; a timeout per attempt.
    /// </summary>
    public static IServiceCollection AddUpstreamClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<UpstreamOptions>()
            .Bind(configuration.GetSection(UpstreamOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();

        services.AddResiliencePipeline(UpstreamClient.PipelineName, static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<UpstreamOptions>>().Value;
            var logger = context.ServiceProvider.GetRequiredService<ILogger<UpstreamClient>>();
            // Transient: no connection, a connection lost mid-body, an attempt timed out, or a 5xx/408/429. A
            // malformed answer is not: asking again would get the same answer, and it says nothing about load.
            var transient = new PredicateBuilder()
                .Handle<HttpRequestException>()
                // HttpIOException (the body ended early) and the socket's own IOException (reset mid-body).
                .Handle<IOException>()
                .Handle<TimeoutRejectedException>()
                .Handle<TransientStatusException>();

            pipeline.AddTimeout(options.TotalTimeout);
            if (options.MaxRetryAttempts > 0)
            {
                Func<RetryPredicateArguments<object>, ValueTask<bool>> isTransient = transient;
                pipeline.AddRetry(new RetryStrategyOptions
                {
                    // An upstream's Retry-After is honoured within the total budget: the retry waits as long as
                    // it asks when that wait and one more attempt still fit, and otherwise does not retry at all
                    // (sooner would ignore what it asked, later would break the budget); the 502 then passes its
                    // Retry-After on to the caller.
                    ShouldHandle = args =>
                    {
                        if (args.Outcome.Exception is TransientStatusException { RetryAfter: { } wait }
                            && args.Context.Properties.TryGetValue(UpstreamCall.Key, out var call)
                            && !call.CanWaitAndRetry(wait, options.AttemptTimeout, options.TotalTimeout))
                        {
                            call.RetryAfterPastBudget = true;
                            return ValueTask.FromResult(false);
                        }
                        return isTransient(args);
                    },
                    DelayGenerator = static args => ValueTask.FromResult(
                        args.Outcome.Exception is TransientStatusException { RetryAfter: { } wait } ? wait : (TimeSpan?)null),
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    Delay = options.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    OnRetry = args =>
                    {
                        UpstreamLog.Retrying(logger, args.AttemptNumber + 1, Reason(args.Outcome), args.RetryDelay.TotalMilliseconds);
                        return default;
                    },
                });
            }
            pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
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
        });

        // Polly's own telemetry (Polly.Extensions, for pipelines made through DI) as metrics: every retry, timeout and
        // circuit change (resilience.polly.strategy.events); its per-attempt log lines stay off. Its two duration
        // histograms are dropped: they are in milliseconds, which Prometheus's conventions (and promtool) reject, and
        // each attempt's duration and outcome is HttpClient's http.client.request.duration already, in seconds.
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(PollyMeterName)
            .AddView("resilience.polly.strategy.attempt.duration", MetricStreamConfiguration.Drop)
            .AddView("resilience.polly.pipeline.duration", MetricStreamConfiguration.Drop));

        services.AddSingleton<UpstreamClient>();
        return services;
    }

    /// <summary>Why an attempt failed; an exception's message may quote the upstream's bytes, so it is escaped.</summary>
    private static string Reason(Outcome<object> outcome) => LogText.Escape(outcome.Exception?.Message ?? "no exception");
}
