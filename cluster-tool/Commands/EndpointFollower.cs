using System.Diagnostics;
using System.Globalization;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.Contract;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>
/// Polls the server Deployment and its Service's EndpointSlices until the Service lists exactly one ready
/// endpoint per ready replica (and the rollout is complete), printing the endpoint list each time it changes.
/// </summary>
internal static class EndpointFollower
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<IReadOnlyList<string>> FollowAsync(DemoCluster cluster, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? shown = null;
        IReadOnlyList<string> endpoints = [];
        await AnsiConsole.Status().StartAsync($"Waiting for {DemoContract.Server.Service} to list every ready replica", async _ =>
        {
            while (true)
            {
                var rollout = await cluster.ReadRolloutAsync(DemoContract.Server.Deployment, cancellationToken);
                endpoints = await cluster.ReadyEndpointsAsync(DemoContract.Server.Service, cancellationToken);
                var line = EndpointCheck.FormatLikeKubectl(endpoints);
                if (line != shown)
                {
                    AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]+{clock.Elapsed.TotalSeconds,5:0.0} s[/]  {DemoContract.Server.Service}   {line}");
                    shown = line;
                }

                var verdict = EndpointCheck.Compare(DemoContract.Server.Service, endpoints, DemoContract.Server.Deployment, rollout.Ready);
                if (rollout.Complete && verdict.Matches)
                {
                    AnsiConsole.MarkupLineInterpolated($"[green]{verdict.Message}[/]");
                    return;
                }

                if (clock.Elapsed >= timeout)
                {
                    var problems = await cluster.DiagnoseAsync(DemoContract.Server.Deployment, cancellationToken);
                    var reasons = rollout.Complete ? verdict.Message : RolloutCheck.NotReadyMessage([rollout], timeout);
                    throw new ClusterToolException(string.Join(Environment.NewLine, [reasons, .. problems.Select(problem => problem.Message)]));
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        });

        return endpoints;
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
