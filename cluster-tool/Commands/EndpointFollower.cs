using System.Globalization;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.ClusterTool.Waiting;
using MinikubeDemo.Contract;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>
/// Draws the endpoint wait (<see cref="DemoWaits.EndpointsAsync"/>): the endpoint list each time it changes,
/// until the Service lists exactly one ready endpoint per ready replica.
/// </summary>
internal static class EndpointFollower
{
    public static async Task<IReadOnlyList<string>> FollowAsync(DemoCluster cluster, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? shown = null;
        WaitResult<EndpointProgress>? result = null;
        await AnsiConsole.Status().StartAsync($"Waiting for {DemoContract.Server.Service} to list every ready replica", async _ =>
            result = await DemoWaits.EndpointsAsync(cluster, timeout, (seen, elapsed) =>
            {
                var line = EndpointCheck.FormatLikeKubectl(seen.Endpoints);
                if (line != shown)
                {
                    AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]+{elapsed.TotalSeconds,5:0.0} s[/]  {DemoContract.Server.Service}   {line}");
                    shown = line;
                }
            }, cancellationToken));

        var last = result!.Last;
        if (result.End != WaitEnd.Done)
        {
            var problems = await cluster.DiagnoseAsync(DemoContract.Server.Deployment, cancellationToken);
            var reasons = last.Rollout.Complete ? last.Verdict.Message : RolloutCheck.NotReadyMessage([last.Rollout], timeout);
            throw new ClusterToolException(string.Join(Environment.NewLine, [reasons, .. problems.Select(problem => problem.Message)]));
        }

        AnsiConsole.MarkupLineInterpolated($"[green]{last.Verdict.Message}[/]");
        return last.Endpoints;
    }

    /// <summary>Prints the endpoints the way the chapter shows `kubectl get endpoints`.</summary>
    public static void PrintLikeKubectl(IReadOnlyList<string> endpoints)
    {
        AnsiConsole.WriteLine();
        foreach (var line in EndpointCheck.KubectlTable(DemoContract.Server.Service, endpoints))
        {
            AnsiConsole.WriteLine(line);
        }

        AnsiConsole.WriteLine();
    }
}
