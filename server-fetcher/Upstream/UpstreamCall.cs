using Polly;

namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// One call through the resilience pipeline, carried in its <see cref="ResilienceContext"/>: when it began (so
/// the retry can tell what is left of the total budget), how many attempts it made (for the 504's detail), and
/// which address the last attempt's connection went to.
/// </summary>
internal sealed class UpstreamCall(TimeProvider time)
{
    public static readonly ResiliencePropertyKey<UpstreamCall> Key = new("MinikubeDemo.UpstreamCall");

    private readonly long _startedAt = time.GetTimestamp();

    public int Attempts { get; set; }

    /// <summary>Where the last attempt's request went (address:port), set by <see cref="AddressReportingStream"/>.</summary>
    public string? Address { get; set; }

    /// <summary>Set when the upstream's <c>Retry-After</c> was the reason not to retry.</summary>
    public bool RetryAfterPastBudget { get; set; }

    /// <summary>Whether waiting <paramref name="wait"/> and then one more whole attempt fit in what is left of the total budget.</summary>
    public bool CanWaitAndRetry(TimeSpan wait, TimeSpan attemptTimeout, TimeSpan totalTimeout) =>
        time.GetElapsedTime(_startedAt) + wait + attemptTimeout <= totalTimeout;
}
