using MinikubeDemo.ClusterTool.Processes;

namespace MinikubeDemo.TestSupport;

/// <summary>What the tests ask of a running service beyond what the Local command needs.</summary>
public static class ServiceProcessExtensions
{
    /// <summary>Waits until <paramref name="count"/> lines of standard output match, and returns the matching lines.</summary>
    public static Task<List<string>> WaitForOutputAsync(this ServiceProcess service, Func<string, bool> match, int count, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(service);
        return Eventually.UntilAsync(() => Task.FromResult(service.OutputLines.Where(match).ToList()), lines => lines.Count >= count, timeout,
            lines => $"{lines.Count} of {count} lines of standard output matched; it has:{Environment.NewLine}{string.Join(Environment.NewLine, service.OutputLines)}",
            pollInterval: TimeSpan.FromMilliseconds(20));
    }
}
