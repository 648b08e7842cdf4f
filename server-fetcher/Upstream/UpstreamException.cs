namespace MinikubeDemo.ServerFetcher.Upstream;

/// <summary>
/// A failed call to the upstream, once resilience has done what it can, as the fetcher answers it: a status and title,
/// and a detail (<see cref="Exception.Message"/>) that names the failure and the configured upstream URL, nothing else.
/// </summary>
public sealed class UpstreamException(int status, string title, string detail, Exception? innerException = null) : Exception(detail, innerException)
{
    public const string Unreachable = "The upstream server could not be reached";
    public const string ErrorStatus = "The upstream server answered with an error";
    public const string InvalidBody = "The upstream server answered an invalid body";
    public const string TooLarge = "The upstream server answered too large a body";
    public const string CircuitOpen = "The upstream server is failing; calls are paused";
    public const string Timeout = "The upstream server did not answer in time";

    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>When to try again, where the failure knows (an open circuit does, and so may the upstream).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The detail and what the exceptions under it say. Those can quote the upstream's own bytes, name resolved
    /// addresses and .NET types, so this goes to the log and never into a response.
    /// </summary>
    public string Reason => string.Join(" <- ", Chain(this).Select(exception => exception.Message).Distinct());

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }
}
