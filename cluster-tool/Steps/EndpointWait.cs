using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// The chapter's "one endpoint per ready pod", followed live: the server Service's endpoint list each time it
/// changes, until its rollout is complete and it lists exactly one ready endpoint per ready replica; then the list
/// the way the chapter shows `kubectl get endpoints`.
/// </summary>
internal static class EndpointWait
{
    public static async Task<IReadOnlyList<string>> RunAsync(ToolHost host, DemoCluster cluster, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? shown = null;
        WaitResult<Progress>? result = null;
        await host.Console.Status().StartAsync($"Waiting for {DemoContract.Server.Service} to list every ready replica", async _ =>
            result = await Poll.UntilAsync(host, token => LookAsync(cluster, token), progress => progress.Settled ? WaitEnd.Done : null, timeout, (seen, elapsed) =>
            {
                var line = EndpointList.FormatLikeKubectl(seen.Endpoints);
                if (line != shown)
                {
                    host.Console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]+{elapsed.TotalSeconds,5:0.0} s[/]  {DemoContract.Server.Service}   {line}");
                    shown = line;
                }
            }, cancellationToken));

        var last = result!.Last;
        if (result.End != WaitEnd.Done)
        {
            var problems = PodDiagnosis.Diagnose(last.Deployment is null ? [] : await cluster.ReadNewestPodsAsync(last.Deployment, cancellationToken));
            var reasons = last.Rollout.Complete ? last.Verdict.Message : RolloutState.NotReadyMessage([last.Rollout], timeout);
            throw new ClusterToolException(string.Join(Environment.NewLine, [reasons, .. problems.Select(problem => PodDiagnosis.Describe(problem, []))]));
        }

        host.Console.MarkupLineInterpolated($"[green]{last.Verdict.Message}[/]");
        host.Console.WriteLine();
        foreach (var line in EndpointList.KubectlTable(DemoContract.Server.Service, last.Endpoints))
        {
            host.Console.WriteLine(line);
        }

        host.Console.WriteLine();
        return last.Endpoints;
    }

    private static async Task<Progress> LookAsync(DemoCluster cluster, CancellationToken cancellationToken)
    {
        var deployment = await cluster.ReadDeploymentAsync(DemoContract.Server.Deployment, cancellationToken);
        var endpoints = EndpointList.ReadyEndpoints(await cluster.ReadEndpointSlicesAsync(DemoContract.Server.Service, cancellationToken));
        return new Progress(deployment, RolloutState.Of(DemoContract.Server.Deployment, deployment), endpoints);
    }

    /// <summary>One look at the server: its Deployment and rollout, and the ready endpoints its Service lists.</summary>
    private sealed record Progress(k8s.Models.V1Deployment? Deployment, RolloutState Rollout, IReadOnlyList<string> Endpoints)
    {
        public (bool Matches, string Message) Verdict => EndpointList.Compare(DemoContract.Server.Service, Endpoints, DemoContract.Server.Deployment, Rollout.Ready);

        public bool Settled => Rollout.Complete && Verdict.Matches;
    }
}
