namespace MinikubeDemo.ServerFetcher.Upstream;

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
