using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>Looks at the cluster every <see cref="ToolHost.PollInterval"/> until a judge says done or failed, or the time runs out.</summary>
internal static class Poll
{
    public static async Task<WaitResult<T>> UntilAsync<T>(ToolHost host, Func<CancellationToken, Task<T>> look, Func<T, WaitEnd?> judge, TimeSpan timeout,
        Action<T, TimeSpan>? seen, CancellationToken cancellationToken)
    {
        var started = host.Time.GetTimestamp();
        while (true)
        {
            var state = await look(cancellationToken);
            var elapsed = host.Time.GetElapsedTime(started);
            seen?.Invoke(state, elapsed);
            if (judge(state) is { } end)
            {
                return new WaitResult<T>(state, end, elapsed);
            }

            if (elapsed >= timeout)
            {
                return new WaitResult<T>(state, WaitEnd.TimedOut, elapsed);
            }

            await Task.Delay(host.PollInterval, host.Time, cancellationToken);
        }
    }
}
