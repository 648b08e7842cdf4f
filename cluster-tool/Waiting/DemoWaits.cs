using System.Net;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ClusterTool.Waiting;

/// <summary>One look at the rollouts: each Deployment's state, and the problems of the pods of those not done.</summary>
internal sealed record RolloutProgress(IReadOnlyList<RolloutState> States, IReadOnlyList<DiagnosedProblem> Problems)
{
    public bool Complete => States.All(state => state.Complete);
}

/// <summary>One look at the server: its rollout and the ready endpoints its Service lists.</summary>
internal sealed record EndpointProgress(RolloutState Rollout, IReadOnlyList<string> Endpoints)
{
    public EndpointVerdict Verdict => EndpointCheck.Compare(DemoContract.Server.Service, Endpoints, DemoContract.Server.Deployment, Rollout.Ready);

    public bool Settled => Rollout.Complete && Verdict.Matches;
}

/// <summary>What Deploy and Verify wait for, as states; the commands and the k3s tests decide what to show or assert.</summary>
internal static class DemoWaits
{
    private static readonly TimeSpan RolloutInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan EndpointInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Until every Deployment is rolled out, or one is missing or a pod fails in a way that waiting will not mend.</summary>
    public static Task<WaitResult<RolloutProgress>> RolloutsAsync(DemoCluster cluster, IReadOnlyList<string> deployments, TimeSpan timeout,
        Action<RolloutProgress, TimeSpan>? seen, CancellationToken cancellationToken) =>
        Poll.UntilAsync(
            async token =>
            {
                var states = await Task.WhenAll(deployments.Select(deployment => cluster.ReadRolloutAsync(deployment, token)));
                var problems = new List<DiagnosedProblem>();
                foreach (var state in states.Where(state => state is { Complete: false, Exists: true }))
                {
                    problems.AddRange(await cluster.DiagnoseAsync(state.Deployment, token));
                }

                return new RolloutProgress(states, problems);
            },
            progress => progress.Complete ? WaitEnd.Done
                : progress.States.Any(state => !state.Exists) || progress.Problems.Any(problem => problem.Problem.IsHardFailure) ? WaitEnd.Failed
                : null,
            timeout, RolloutInterval, seen, cancellationToken);

    /// <summary>Until the server's rollout is complete and its Service lists exactly one ready endpoint per ready replica.</summary>
    public static Task<WaitResult<EndpointProgress>> EndpointsAsync(DemoCluster cluster, TimeSpan timeout,
        Action<EndpointProgress, TimeSpan>? seen, CancellationToken cancellationToken) =>
        Poll.UntilAsync(
            async token => new EndpointProgress(
                await cluster.ReadRolloutAsync(DemoContract.Server.Deployment, token),
                await cluster.ReadyEndpointsAsync(DemoContract.Server.Service, token)),
            progress => progress.Settled ? WaitEnd.Done : null,
            timeout, EndpointInterval, seen, cancellationToken);

    /// <summary>Until the cluster's DNS Deployment is available (or there is none this tool can see).</summary>
    public static Task<WaitResult<ClusterDnsState>> ClusterDnsAsync(DemoCluster cluster, TimeSpan timeout,
        Action<ClusterDnsState, TimeSpan>? seen, CancellationToken cancellationToken) =>
        Poll.UntilAsync(cluster.ReadClusterDnsAsync, dns => dns.Ready ? WaitEnd.Done : null, timeout, RolloutInterval, seen, cancellationToken);

    /// <summary>
    /// Until the fetcher gives the chapter's answer. On a cluster that just started, the first calls can fail
    /// while cluster DNS and the NetworkPolicy come into force; a 200 with another body will not get better.
    /// </summary>
    public static Task<WaitResult<FetchAttempt>> FirstAnswerAsync(DemoCluster cluster, TimeSpan timeout,
        Action<FetchAttempt, TimeSpan>? seen, CancellationToken cancellationToken) =>
        Poll.UntilAsync(
            cluster.TryFetchAsync,
            attempt => attempt.Problem is null ? WaitEnd.Done : attempt.Reply?.Status == HttpStatusCode.OK ? WaitEnd.Failed : null,
            timeout, RolloutInterval, seen, cancellationToken);
}
