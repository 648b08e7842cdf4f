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

public sealed class UpstreamException(UpstreamFailure failure, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public UpstreamFailure Failure { get; } = failure;

    /// <summary>When to try again, where the failure knows (an open circuit does).</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>A status worth retrying (5xx, 408, 429); it only lives inside the resilience pipeline.</summary>
internal sealed class TransientStatusException(int statusCode)
    : Exception($"The upstream answered {statusCode}.")
{
    public int StatusCode { get; } = statusCode;

    public static bool IsTransient(int statusCode) => statusCode is >= 500 or 408 or 429;
}
