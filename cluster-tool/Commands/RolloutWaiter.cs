using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.ClusterTool.Waiting;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>Draws the rollout wait (<see cref="DemoWaits.RolloutsAsync"/>) as progress bars, then the `kubectl get deployments` lines.</summary>
internal static class RolloutWaiter
{
    public static async Task WaitAsync(DemoCluster cluster, IReadOnlyList<string> deployments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        WaitResult<RolloutProgress>? result = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bars = deployments.ToDictionary(deployment => deployment, deployment => progress.AddTask(deployment, maxValue: 1));
                var reported = new HashSet<string>(StringComparer.Ordinal);
                result = await DemoWaits.RolloutsAsync(cluster, deployments, timeout, (seen, _) =>
                {
                    foreach (var state in seen.States)
                    {
                        var bar = bars[state.Deployment];
                        bar.MaxValue = Math.Max(state.Desired, 1);
                        bar.Value = state.Complete ? bar.MaxValue : Math.Min(state.Ready, state.Desired);
                        bar.Description = Markup.Escape($"{state.Deployment}  {state.Summary}");
                    }

                    // What the kubelet is still retrying is worth knowing while waiting, once each.
                    foreach (var problem in seen.Problems.Where(problem => !problem.Problem.IsHardFailure && problem.Problem.Kind != PodProblemKind.NotReady))
                    {
                        if (reported.Add(problem.Message))
                        {
                            AnsiConsole.MarkupLineInterpolated($"[yellow]{problem.Message} Still waiting: the kubelet retries.[/]");
                        }
                    }
                }, cancellationToken);
            });

        var last = result!.Last;
        switch (result.End)
        {
            case WaitEnd.Failed when last.States.Any(state => !state.Exists):
                throw new ClusterToolException(RolloutCheck.NotReadyMessage(last.States, result.Elapsed));
            case WaitEnd.Failed:
                throw new ClusterToolException(string.Join(Environment.NewLine,
                    ["A pod cannot start:", .. last.Problems.Where(problem => problem.Problem.IsHardFailure).Select(problem => problem.Message)]));
            case WaitEnd.TimedOut:
                throw new ClusterToolException(string.Join(Environment.NewLine,
                    [RolloutCheck.NotReadyMessage(last.States, timeout), .. last.Problems.Select(problem => problem.Message)]));
        }

        // The progress bars leave nothing in a log that is not a terminal; this table always shows.
        foreach (var line in RolloutCheck.KubectlTable(last.States))
        {
            AnsiConsole.WriteLine(line);
        }
    }
}
