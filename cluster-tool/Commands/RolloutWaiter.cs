using System.Diagnostics;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>Shows the rollouts as progress bars until every Deployment is ready, a pod fails hard, or time runs out.</summary>
internal static class RolloutWaiter
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task WaitAsync(DemoCluster cluster, IReadOnlyList<string> deployments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<RolloutState> ready = [];
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bars = deployments.ToDictionary(deployment => deployment, deployment => progress.AddTask(deployment, maxValue: 1));
                while (true)
                {
                    var states = await Task.WhenAll(deployments.Select(deployment => cluster.ReadRolloutAsync(deployment, cancellationToken)));
                    foreach (var state in states)
                    {
                        var bar = bars[state.Deployment];
                        bar.MaxValue = Math.Max(state.Desired, 1);
                        bar.Value = state.Complete ? bar.MaxValue : Math.Min(state.Ready, state.Desired);
                        bar.Description = Markup.Escape($"{state.Deployment}  {state.Summary}");
                    }

                    if (states.All(state => state.Complete))
                    {
                        ready = states;
                        return;
                    }

                    var timedOut = clock.Elapsed >= timeout;
                    var problems = await DiagnoseAsync(cluster, states, cancellationToken);
                    if (timedOut || problems.Any(problem => problem.Problem.IsHardFailure))
                    {
                        var report = timedOut ? RolloutCheck.NotReadyMessage(states, timeout) : "A pod cannot start:";
                        throw new ClusterToolException(string.Join(Environment.NewLine, [report, .. problems.Select(problem => problem.Message)]));
                    }

                    await Task.Delay(PollInterval, cancellationToken);
                }
            });

        // The progress bars leave nothing in a log that is not a terminal; this table always shows.
        foreach (var line in RolloutCheck.KubectlTable(ready))
        {
            AnsiConsole.WriteLine(line);
        }
    }

    private static async Task<List<(PodProblem Problem, string Message)>> DiagnoseAsync(DemoCluster cluster, IEnumerable<RolloutState> states, CancellationToken cancellationToken)
    {
        var problems = new List<(PodProblem, string)>();
        foreach (var state in states.Where(state => state is { Complete: false, Exists: true }))
        {
            problems.AddRange(await cluster.DiagnoseAsync(state.Deployment, cancellationToken));
        }

        return problems;
    }
}
