using Microsoft.Extensions.Hosting;

namespace MinikubeDemo.ServiceDefaults.Hosting;

/// <summary>
/// Gives memory back to the pod once a burst is over. The GC runs only when the service allocates, so after
/// thousands of connections close on a quiet service the memory they held stays committed, and charged to the
/// pod's limit, until traffic comes back; GCConserveMemory and GCHighMemPercent do not change that, since they act
/// only when a GC runs (measured: bench/TUNING.md). So every few seconds: if no GC ran since the last look (the
/// service is quiet) and more is held than when it was last idle, by a margin, one aggressive collection compacts
/// the heap and decommits what is free. Under load GCs run all the time, so this never adds a pause there.
/// </summary>
internal sealed class IdleMemoryTrim(TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var policy = new TrimPolicy(Held());
        var collections = GC.CollectionCount(0);
        while (await NextTickAsync(timer, stoppingToken))
        {
            var held = Held();
            if (policy.ShouldTrim(quiet: GC.CollectionCount(0) == collections, held))
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                held = policy.Trimmed(held, Held());
            }
            policy.Saw(held);
            collections = GC.CollectionCount(0);
        }
    }

    /// <summary>
    /// False once the host stops. Also when a start that failed (a port in use) disposes the host without stopping
    /// it: the host would then report the cancelled wait as this service's crash, on top of the start's own error.
    /// </summary>
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// The heap as allocated now (the dead objects of closed connections included, until a GC) or as committed at
    /// the last GC (free regions it has not returned yet), whichever is more.
    /// </summary>
    private static long Held() => Math.Max(GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().TotalCommittedBytes);
}
