namespace MinikubeDemo.ClusterTool.Verification;

/// <summary>Counts which server pod answered each request, from the fetcher's X-Upstream-Instance header.</summary>
internal sealed class InstanceTally
{
    public const string NoHeader = "(no header)";

    private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);

    public int Total { get; private set; }

    public void Add(string? instance)
    {
        var key = string.IsNullOrWhiteSpace(instance) ? NoHeader : instance.Trim();
        counts[key] = counts.GetValueOrDefault(key) + 1;
        Total++;
    }

    /// <summary>Per instance, in name order, so the bar chart is stable between runs.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Counts =>
        counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();

    /// <summary>Ready pods that answered none of the requests.</summary>
    public IReadOnlyList<string> Silent(IEnumerable<string> readyPods) =>
        readyPods.Where(pod => !counts.ContainsKey(pod)).Order(StringComparer.Ordinal).ToList();
}
