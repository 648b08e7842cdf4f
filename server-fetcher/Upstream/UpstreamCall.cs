namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// One call to the upstream, carried on its request through the resilience pipeline: when it began (so the retry
/// can tell what is left of the total budget), how many attempts it made (for the 504's detail), what the answering
/// attempt read, and which address that attempt's connection went to.
/// </summary>
internal sealed class UpstreamCall(TimeProvider time)
{
    private static readonly HttpRequestOptionsKey<UpstreamCall> Key = new("MinikubeDemo.UpstreamCall");

    private readonly long _startedAt = time.GetTimestamp();

    public int Attempts { get; set; }

    /// <summary>The message of the attempt that answered 2xx.</summary>
    public string? Message { get; set; }

    /// <summary>Where the last attempt's request went (address:port), set by <see cref="AddressReportingStream"/>.</summary>
    public string? Address { get; set; }

    /// <summary>Set when the upstream's <c>Retry-After</c> was the reason not to retry.</summary>
    public bool RetryAfterPastBudget { get; set; }

    public void Attach(HttpRequestMessage request) => request.Options.Set(Key, this);

    public static UpstreamCall? Of(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(Key, out var call) ? call : null;

    /// <summary>How long the upstream asked to wait (<c>Retry-After</c>, seconds or a date), when it said so validly.</summary>
    public TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => TimeSpan.FromTicks(Math.Max(0, (date - time.GetUtcNow()).Ticks)),
        _ => null,
    };

    /// <summary>Whether waiting <paramref name="wait"/> and then one more whole attempt fit in what is left of the total budget.</summary>
    public bool CanWaitAndRetry(TimeSpan wait, UpstreamOptions options) =>
        time.GetElapsedTime(_startedAt) + wait + options.AttemptTimeout <= options.TotalTimeout;
}
