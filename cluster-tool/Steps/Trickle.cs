using System.Collections.Concurrent;
using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// A steady, bounded trickle of requests through the fetcher: a few a second, never more than a handful in flight
/// (a tick is skipped rather than let requests pile up behind a slow cluster), each answer kept with its time.
/// </summary>
internal sealed class Trickle(ToolHost host, DemoCluster cluster, int perSecond)
{
    private readonly ConcurrentQueue<(long At, FetchAttempt Attempt)> _answers = new();
    private const int MaxInFlight = 8;

    /// <summary>Every answer so far.</summary>
    public TrafficTally Total => new(_answers.Select(answer => answer.Attempt));

    /// <summary>The answers of the last <paramref name="span"/>.</summary>
    public TrafficTally Last(TimeSpan span) => new(_answers.Where(answer => host.Time.GetElapsedTime(answer.At) <= span).Select(answer => answer.Attempt));

    /// <summary>Sends until cancelled; <paramref name="answered"/> sees each answer as it comes.</summary>
    public async Task RunAsync(Action<FetchAttempt> answered, CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond), host.Time);
        var sent = new List<Task>();
        try
        {
            while (await ticks.WaitForNextTickAsync(cancellationToken))
            {
                sent.RemoveAll(task => task.IsCompleted);
                if (sent.Count < MaxInFlight)
                {
                    sent.Add(SendAsync(answered, cancellationToken));
                }
            }
        }
        finally
        {
            // Requests cut short by the end are not counted; those that finished are.
            await Task.WhenAll(sent).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task SendAsync(Action<FetchAttempt> answered, CancellationToken cancellationToken)
    {
        try
        {
            var attempt = await FetchAttempt.TryAsync(cluster, cancellationToken);
            _answers.Enqueue((host.Time.GetTimestamp(), attempt));
            answered(attempt);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch is ending.
        }
    }
}
