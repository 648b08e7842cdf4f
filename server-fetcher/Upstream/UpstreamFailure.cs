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
