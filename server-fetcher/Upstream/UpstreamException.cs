namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>Ways the call to the upstream can fail, once resilience has done what it can.</summary>
public enum UpstreamFailure
{
    /// <summary>No connection could be made or kept (refused, reset, DNS name unknown).</summary>
    Unreachable,

    /// <summary>It answered with an error status (after retries, for a transient one).</summary>
    ErrorStatus,

    /// <summary>It answered 2xx with a body that is not JSON with a string <c>message</c>.</summary>
    InvalidBody,

    /// <summary>It answered a body over <c>Upstream:MaxResponseBytes</c>.</summary>
    TooLarge,

    /// <summary>The circuit breaker is open after repeated failures: the call was not even tried.</summary>
    CircuitOpen,

    /// <summary>No answer within the time budget.</summary>
    Timeout,
}

/// <summary>
/// A failed call to the upstream. <see cref="Exception.Message"/> is what a client may be told: the failure and
/// the configured upstream URL. <see cref="Reason"/> is for the log only.
/// </summary>
public sealed class UpstreamException(UpstreamFailure failure, string detail, Exception? innerException = null)
    : Exception(detail, innerException)
{
    public UpstreamFailure Failure { get; } = failure;

    /// <summary>When to try again, where the failure knows (an open circuit does, and so may the upstream).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The detail and what the exceptions under it say. Those can quote the upstream's own bytes, name resolved
    /// addresses and .NET types, so this goes to the log and never into a response.
    /// </summary>
    public string Reason
    {
        get
        {
            var reasons = new List<string> { Message };
            for (var inner = InnerException; inner is not null; inner = inner.InnerException)
            {
                if (!reasons.Contains(inner.Message))
                {
                    reasons.Add(inner.Message);
                }
            }
            return string.Join(" <- ", reasons);
        }
    }
}

/// <summary>A status worth retrying (5xx, 408, 429); it only lives inside the resilience pipeline.</summary>
internal sealed class TransientStatusException(int statusCode, TimeSpan? retryAfter)
    : Exception($"The upstream answered {statusCode}.")
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The upstream's <c>Retry-After</c>, when it sent a valid one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static bool IsTransient(int statusCode) => statusCode is >= 500 or 408 or 429;
}
