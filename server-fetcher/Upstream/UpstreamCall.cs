namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// One call to the upstream, carried on its request through the resilience pipeline: when it began (so the retry can
/// tell what is left of the total budget), how many attempts it made (for the 504's detail), and what the answering
/// attempt got: the message, the upstream's <c>X-Instance</c>, and the address its connection went to.
/// </summary>
internal sealed class UpstreamCall
{
    private static readonly HttpRequestOptionsKey<UpstreamCall> Key = new("MinikubeDemo.UpstreamCall");

    private readonly TimeProvider _time;
    private readonly long _startedAt;

    public UpstreamCall(HttpRequestMessage request, TimeProvider time)
    {
        (_time, _startedAt) = (time, time.GetTimestamp());
        request.Options.Set(Key, this);
    }

    public string? Message { get; set; }

    public string? Instance { get; set; }

    /// <summary>Where the answering request went (address:port), set by its connection (<see cref="AddressReportingStream"/>).</summary>
    public string? Address { get; set; }

    public int Attempts { get; set; }

    /// <summary>Set when the upstream's <c>Retry-After</c> was the reason not to retry.</summary>
    public bool RetryAfterPastBudget { get; set; }

    public static UpstreamCall? Of(HttpRequestMessage? request) => request is not null && request.Options.TryGetValue(Key, out var call) ? call : null;

    /// <summary>How long the upstream asked to wait (<c>Retry-After</c>, seconds or a date), when it said so validly.</summary>
    public TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => TimeSpan.FromTicks(Math.Max(0, (date - _time.GetUtcNow()).Ticks)),
        _ => null,
    };

    /// <summary>Whether waiting <paramref name="wait"/> and then one more whole attempt fit in what is left of the total budget.</summary>
    public bool CanWaitAndRetry(TimeSpan wait, UpstreamOptions options) =>
        _time.GetElapsedTime(_startedAt) + wait + options.AttemptTimeout <= options.TotalTimeout;
}
