using System.Diagnostics;
using Docker.DotNet.Models;
using MinikubeDemo.ServiceDefaults.Shutdown;
using MinikubeDemo.TestSupport.Docker;

namespace MinikubeDemo.Containers.Tests;

/// <summary>
/// Losing a replica while requests flow, the two ways Kubernetes loses a pod: killed outright (node failure,
/// OOM kill: SIGKILL) or stopped gracefully (rollout, scale-down: SIGTERM, then the drain delay).
/// </summary>
public sealed class ReplicaLossTests
{
    private const int Concurrency = 4;

    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What the service promises after the drain delay: in-flight requests get this long, then the host stops (its
    /// shutdown timeout). How much of it a busy machine takes is not what is tested.
    /// </summary>
    private static readonly TimeSpan ExitMargin = ShutdownOptions.InFlightGrace;

    /// <summary>
    /// How long the load goes on after the loss: longer than the fetcher's attempt timeout (a request stuck on a
    /// connection to the lost replica must be retried elsewhere) and long enough for many new connections.
    /// </summary>
    private static readonly TimeSpan LoadAfterLoss = TimeSpan.FromSeconds(3);

    [Fact(Timeout = 120_000)]
    public async Task Killed_replica_leaves_every_answer_a_200()
    {
        await using var topology = await Topology.StartAsync(replicas: 2, cancellationToken: TestContext.Current.CancellationToken);
        using var client = topology.CreateFetcherClient();
        var (victim, survivor) = (topology.Servers[0], topology.Servers[1]);

        await using var load = RequestLoad.Start(client, Concurrency, maxRequests: 20_000, maxDuration: TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await load.WaitForMoreAsync(100);
        var killedAt = load.Elapsed;
        await DockerEngine.Client.Containers.KillContainerAsync(victim.Container.Id, new ContainerKillParameters { Signal = "SIGKILL" }, TestContext.Current.CancellationToken);
        await Task.Delay(LoadAfterLoss, TestContext.Current.CancellationToken);
        var outcomes = await load.StopAsync();

        AssertServedBefore(victim, killedAt, outcomes);
        var afterKill = outcomes.Where(outcome => outcome.FinishedAt > killedAt).ToList();
        Report.Line($"SIGKILL {victim.PodName} at {killedAt.TotalSeconds:F1} s: {outcomes.Count} requests, {afterKill.Count} after the kill, "
                    + $"{afterKill.Count(outcome => !outcome.Succeeded)} not 200, slowest {afterKill.Max(outcome => outcome.Duration).TotalMilliseconds:F0} ms");
        Assert.All(outcomes, outcome => Assert.True(outcome.Succeeded, $"request at {outcome.FinishedAt.TotalSeconds:F2} s (kill at {killedAt.TotalSeconds:F2} s): {outcome}"));
        Assert.Contains(afterKill.TakeLast(100), outcome => outcome.UpstreamInstance == survivor.PodName);
        Assert.DoesNotContain(afterKill.TakeLast(100), outcome => outcome.UpstreamInstance == victim.PodName);
    }

    [Fact(Timeout = 120_000)]
    public async Task Stopped_replica_drains_without_a_failed_request_and_exits_in_time()
    {
        await using var topology = await Topology.StartAsync(replicas: 2, DrainDelay, TestContext.Current.CancellationToken);
        using var client = topology.CreateFetcherClient();
        var (stopped, survivor) = (topology.Servers[0], topology.Servers[1]);

        await using var load = RequestLoad.Start(client, Concurrency, maxRequests: 20_000, maxDuration: TimeSpan.FromSeconds(40), TestContext.Current.CancellationToken);
        await load.WaitForMoreAsync(100);
        var stoppedAt = load.Elapsed;
        var exited = DockerEngine.Client.Containers.WaitContainerAsync(stopped.Container.Id, TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        await DockerEngine.Client.Containers.KillContainerAsync(stopped.Container.Id, new ContainerKillParameters { Signal = "SIGTERM" }, TestContext.Current.CancellationToken);
        var exit = await exited.WaitAsync(DrainDelay + ExitMargin + TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        var exitTime = clock.Elapsed;
        await Task.Delay(LoadAfterLoss, TestContext.Current.CancellationToken);
        var outcomes = await load.StopAsync();

        AssertServedBefore(stopped, stoppedAt, outcomes);
        var failed = outcomes.Where(outcome => !outcome.Succeeded).ToList();
        Report.Line($"SIGTERM {stopped.PodName} at {stoppedAt.TotalSeconds:F1} s: exited with {exit.StatusCode} after {exitTime.TotalSeconds:F1} s "
                    + $"(drain delay {DrainDelay.TotalSeconds:F0} s); {outcomes.Count} requests at concurrency {Concurrency}, {failed.Count} failed");
        Assert.True(failed.Count == 0, $"{failed.Count} of {outcomes.Count} requests failed, first: {failed.FirstOrDefault()}");
        Assert.True(exitTime <= DrainDelay + ExitMargin, $"{stopped.PodName} took {exitTime} to exit after SIGTERM (drain delay {DrainDelay} + margin {ExitMargin})");
        Assert.True(exitTime >= DrainDelay, $"{stopped.PodName} exited {exitTime} after SIGTERM, before its drain delay {DrainDelay}");
        Assert.Equal(0, exit.StatusCode);
        Assert.Contains(outcomes.TakeLast(100), outcome => outcome.UpstreamInstance == survivor.PodName);
    }

    // Otherwise the loss would prove nothing: the replica must have been carrying part of the load.
    private static void AssertServedBefore(ServerReplica replica, TimeSpan lostAt, IReadOnlyList<FetchOutcome> outcomes) =>
        Assert.True(
            outcomes.Any(outcome => outcome.FinishedAt <= lostAt && outcome.UpstreamInstance == replica.PodName),
            $"{replica.PodName} answered no request before it was lost at {lostAt.TotalSeconds:F2} s");
}
