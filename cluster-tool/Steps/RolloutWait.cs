using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// The wait for rollouts, as Deploy and Verify run it: a progress bar per Deployment while its pods start, what the
/// kubelet is still retrying as it is seen, the `kubectl get deployments` lines once done, and at once the reason,
/// with what to do, when a pod fails in a way that waiting will not mend.
/// </summary>
internal static class RolloutWait
{
    private const int LogLinesShown = 15;

    public static async Task<IReadOnlyList<RolloutState>> RunAsync(ToolHost host, DemoCluster cluster, IReadOnlyList<string> deployments, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        WaitResult<Progress>? result = null;
        await host.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bars = deployments.ToDictionary(deployment => deployment, deployment => progress.AddTask(deployment, maxValue: 1));
                var reported = new HashSet<string>(StringComparer.Ordinal);
                result = await Poll.UntilAsync(host, token => LookAsync(cluster, deployments, token), Judge, timeout, (seen, _) =>
                {
                    foreach (var state in seen.States)
                    {
                        var bar = bars[state.Deployment];
                        bar.MaxValue = Math.Max(state.Desired, 1);
                        bar.Value = state.Complete ? bar.MaxValue : Math.Min(state.Ready, state.Desired);
                        bar.Description = Markup.Escape($"{state.Deployment}  {state.Summary}");
                    }

                    // What the kubelet is still retrying is worth knowing while waiting, once each.
                    foreach (var (problem, message) in seen.Problems.Where(seen => !seen.Problem.IsHardFailure && seen.Problem.Kind != PodProblemKind.NotReady))
                    {
                        if (reported.Add(message))
                        {
                            host.Console.MarkupLineInterpolated($"[yellow]{message} Still waiting: the kubelet retries.[/]");
                        }
                    }
                }, cancellationToken);
            });

        var last = result!.Last;
        switch (result.End)
        {
            case WaitEnd.Failed when last.States.Any(state => !state.Exists):
                throw new ClusterToolException(RolloutState.NotReadyMessage(last.States, result.Elapsed));
            case WaitEnd.Failed:
                throw new ClusterToolException(string.Join(Environment.NewLine,
                    ["A pod cannot start:", .. last.Problems.Where(seen => seen.Problem.IsHardFailure).Select(seen => seen.Message)]));
            case WaitEnd.TimedOut:
                throw new ClusterToolException(string.Join(Environment.NewLine,
                    [RolloutState.NotReadyMessage(last.States, timeout), .. last.Problems.Select(seen => seen.Message)]));
        }

        // The progress bars leave nothing in a log that is not a terminal; this table always shows.
        foreach (var line in RolloutState.KubectlTable(last.States))
        {
            host.Console.WriteLine(line);
        }

        return last.States;
    }

    private static WaitEnd? Judge(Progress progress) =>
        progress.States.All(state => state.Complete) ? WaitEnd.Done
        : progress.States.Any(state => !state.Exists) || progress.Problems.Any(seen => seen.Problem.IsHardFailure) ? WaitEnd.Failed
        : null;

    private static async Task<Progress> LookAsync(DemoCluster cluster, IReadOnlyList<string> deployments, CancellationToken cancellationToken)
    {
        var states = new List<RolloutState>();
        var problems = new List<(PodProblem, string)>();
        foreach (var name in deployments)
        {
            var deployment = await cluster.ReadDeploymentAsync(name, cancellationToken);
            var state = RolloutState.Of(name, deployment);
            states.Add(state);
            // Only the newest ReplicaSet's pods, as `kubectl rollout status` judges by it, and only once the controller
            // has made it: an older one's pods stay until the new ones are available, crash loop or not.
            if (deployment is null || state.Complete || !state.Observed)
            {
                continue;
            }

            foreach (var problem in PodDiagnosis.Diagnose(await cluster.ReadNewestPodsAsync(deployment, cancellationToken)))
            {
                // A crash loop is explained by the last lines of the run that crashed.
                var logs = problem.Kind == PodProblemKind.CrashLooping ? await cluster.ReadPreviousLogAsync(problem.Pod, problem.Container, LogLinesShown, cancellationToken) : [];
                problems.Add((problem, PodDiagnosis.Describe(problem, logs)));
            }
        }

        return new Progress(states, problems);
    }

    /// <summary>One look at the rollouts: each Deployment's state, and the problems of the pods of those not done, each described.</summary>
    private sealed record Progress(IReadOnlyList<RolloutState> States, IReadOnlyList<(PodProblem Problem, string Message)> Problems);
}
