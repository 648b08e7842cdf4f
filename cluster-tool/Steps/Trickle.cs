using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// A steady, bounded trickle of requests through the fetcher: a few a second, never more than a handful in flight
/// (a tick is skipped rather than let requests pile up behind a slow cluster), each answer kept with its time.
/// </summary>
public sealed class Trickle(DemoCluster cluster, int perSecond)
{
    private const int MaxInFlight = 8;

    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, FetchAttempt Attempt)> _answers = [];
    private int _inFlight;

    /// <summary>Every answer so far.</summary>
    public TrafficTally Total
    {
        get
        {
            lock (_gate)
            {
                return new TrafficTally(_answers.Select(answer => answer.Attempt));
            }
        }
    }

    /// <summary>The answers of the last <paramref name="span"/>.</summary>
    public TrafficTally Last(TimeSpan span)
    {
        var since = DateTimeOffset.UtcNow - span;
        lock (_gate)
        {
            return new TrafficTally(_answers.Where(answer => answer.At >= since).Select(answer => answer.Attempt));
        }
    }

    /// <summary>Sends until cancelled; <paramref name="answered"/> sees each answer as it comes.</summary>
    public async Task RunAsync(Action<FetchAttempt> answered, CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        var sent = new List<Task>();
        try
        {
            while (await ticks.WaitForNextTickAsync(cancellationToken))
            {
                if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
                {
                    Interlocked.Decrement(ref _inFlight);
                    continue;
                }

                sent.RemoveAll(task => task.IsCompleted);
                sent.Add(SendAsync(answered, cancellationToken));
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
            lock (_gate)
            {
                _answers.Add((DateTimeOffset.UtcNow, attempt));
            }

            answered(attempt);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch is ending.
        }
        catch (HttpRequestException e)
        {
            var attempt = new FetchAttempt(null, $"The API server did not answer ({e.Message})");
            lock (_gate)
            {
                _answers.Add((DateTimeOffset.UtcNow, attempt));
            }

            answered(attempt);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
