using MinikubeDemo.Contract;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Settings under <c>Upstream</c> (environment: <c>Upstream__BaseUrl</c>, <c>Upstream__TotalTimeout</c>, ...).
/// The defaults suit a call inside a cluster: an answer normally takes a millisecond or two, so an attempt
/// that takes half a second is dead, and the whole call, retries included, is bounded by a few seconds.
/// </summary>
public sealed class UpstreamOptions
{
    public const string SectionName = "Upstream";

    /// <summary>The server's Service, found by its cluster DNS name, as in the course.</summary>
    public string BaseUrl { get; set; } = DemoContract.Fetcher.UpstreamUrl;

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public int MaxRetryAttempts { get; set; } = 2;

    /// <summary>First retry delay; later ones grow exponentially, with jitter so that replicas do not retry in step.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// kube-proxy balances per connection, not per request: a pooled connection that lived forever would pin
    /// this fetcher to one server pod, and it would never see pods added by a scale-up. Rotating connections
    /// spreads the load and follows the endpoints list.
    /// </summary>
    public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromSeconds(5);
}
