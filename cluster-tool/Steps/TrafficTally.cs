
namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// What requests through the fetcher did: which server pod answered each (X-Upstream-Instance), which address the
/// fetcher connected to for it (X-Upstream-Address), and the failures by status.
/// </summary>
internal sealed class TrafficTally
{
    public const string NoHeader = "(no header)";

    private readonly Dictionary<string, int> instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> failures = new(StringComparer.Ordinal);

    public TrafficTally(IEnumerable<FetchAttempt> attempts)
    {
        foreach (var attempt in attempts)
        {
            Add(attempt);
        }
    }

    public int Total { get; private set; }

    public int Failed { get; private set; }

    /// <summary>Answers per server pod, in name order, so that charts are stable between runs.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Instances => Ordered(instances);

    /// <summary>Answers per address the fetcher connected to.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Addresses => Ordered(addresses);

    /// <summary>The failures by status: "502 × 3, no answer × 1".</summary>
    public string Failures => string.Join(", ", Ordered(failures).Select(pair => $"{pair.Key} × {pair.Value}"));

    public void Add(FetchAttempt attempt)
    {
        Total++;
        if (attempt.Problem is not null)
        {
            Failed++;
            Count(failures, attempt.FailureKind);
            return;
        }

        Count(instances, attempt.Reply!.UpstreamInstance);
        Count(addresses, attempt.Reply.UpstreamAddress);
    }

    /// <summary>Ready pods that answered none of the requests.</summary>
    public IReadOnlyList<string> Silent(IEnumerable<string> readyPods) =>
        readyPods.Where(pod => !instances.ContainsKey(pod)).Order(StringComparer.Ordinal).ToList();

    private static void Count(Dictionary<string, int> counts, string? key)
    {
        var name = string.IsNullOrWhiteSpace(key) ? NoHeader : key.Trim();
        counts[name] = counts.GetValueOrDefault(name) + 1;
    }

    private static List<KeyValuePair<string, int>> Ordered(Dictionary<string, int> counts) =>
        counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
}
