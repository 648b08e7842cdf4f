using System.Diagnostics;

namespace MinikubeDemo.ClusterTool.Waiting;

/// <summary>How a wait ended.</summary>
public enum WaitEnd
{
    /// <summary>What was waited for happened.</summary>
    Done,

    /// <summary>Something happened that waiting longer will not mend.</summary>
    Failed,

    /// <summary>The time ran out first.</summary>
    TimedOut,
}

/// <summary>The last state a wait saw, and how it ended.</summary>
public sealed record WaitResult<T>(T Last, WaitEnd End, TimeSpan Elapsed);

/// <summary>
/// Looks at the cluster until a judge says done or failed, or the time runs out. The waits only watch and
/// return states; the commands draw them (progress bars, kubectl-style lines) and the k3s tests assert them.
/// </summary>
public static class Poll
{
    public static async Task<WaitResult<T>> UntilAsync<T>(
        Func<CancellationToken, Task<T>> look,
        Func<T, WaitEnd?> judge,
        TimeSpan timeout,
        TimeSpan interval,
        Action<T, TimeSpan>? seen,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(look);
        ArgumentNullException.ThrowIfNull(judge);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var state = await look(cancellationToken);
            seen?.Invoke(state, clock.Elapsed);
            if (judge(state) is { } end)
            {
                return new WaitResult<T>(state, end, clock.Elapsed);
            }

            if (clock.Elapsed >= timeout)
            {
                return new WaitResult<T>(state, WaitEnd.TimedOut, clock.Elapsed);
            }

            await Task.Delay(interval, cancellationToken);
        }
    }
}
