using System.ComponentModel.DataAnnotations;
using MinikubeDemo.Contract;
using MinikubeDemo.ServiceDefaults.Settings;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// Settings under <c>Upstream</c> (environment: <c>Upstream__BaseUrl</c>, ...). The defaults suit a call inside a
/// cluster: an answer takes a millisecond or two, so an attempt that takes half a second is dead, and the whole call,
/// retries included, is bounded by a few seconds. The ranges are Polly's own, checked at start, not at the first request.
/// </summary>
internal sealed class UpstreamOptions : IValidatableObject
{
    public const string SectionName = "Upstream";

    /// <summary>The server's Service, found by its cluster DNS name, as in the course.</summary>
    public string BaseUrl { get; set; } = DemoContract.Fetcher.UpstreamUrl;

    [Within("00:00:00.010", "1.00:00:00")] public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    [Within("00:00:00.010", "1.00:00:00")] public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(3);

    [Within("0", "10")] public int MaxRetryAttempts { get; set; } = 2;

    /// <summary>First retry delay; later ones grow exponentially, with jitter so that replicas do not retry in step.</summary>
    [Within("00:00:00", "1.00:00:00")] public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    [Within("0", "1", MinimumIsExclusive = true)] public double BreakerFailureRatio { get; set; } = 0.5;

    [Within("2", "2147483647")] public int BreakerMinimumThroughput { get; set; } = 10;

    [Within("00:00:00.500", "1.00:00:00")] public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    [Within("00:00:00.500", "1.00:00:00")] public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The body is read into one buffer: a message is a few bytes, so megabytes mean something is wrong.</summary>
    [Within("1", "16777216")] public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// kube-proxy balances per connection, not per request: a connection that lived forever would pin this fetcher to
    /// one server pod and never see a scale-up. Rotating connections spreads the load and follows the endpoints.
    /// </summary>
    [Within("00:00:00", "1.00:00:00")] public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What no attribute expresses: an absolute http(s) URL, and an attempt that fits in the whole call.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https") || baseUri.Host.Length == 0)
        {
            yield return new ValidationResult($"{Setting(nameof(BaseUrl))} is '{BaseUrl}', which is not an absolute http(s) URL; " +
                                              "expected something like http://minikube-demo-server-service:8000.");
        }
        if (AttemptTimeout > TotalTimeout)
        {
            yield return new ValidationResult($"{Setting(nameof(AttemptTimeout))} ({AttemptTimeout}) must not exceed {Setting(nameof(TotalTimeout))} ({TotalTimeout}).");
        }
    }

    private static string Setting(string property) => SettingsCheck.NameOf(typeof(UpstreamOptions), property);
}
