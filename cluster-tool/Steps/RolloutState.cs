using k8s.Models;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>Where one Deployment's rollout stands, judged as `kubectl rollout status` judges it.</summary>
internal sealed record RolloutState(string Deployment, bool Exists, bool Observed, int Desired, int Updated, int Ready, int Available, int Current, string? Failure)
{
    /// <summary>
    /// Done as kubectl's DeploymentStatusViewer says (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go):
    /// the controller has seen the latest spec, every replica is updated, no old one is left, and all are available.
    /// </summary>
    public bool Complete => Exists && Observed && Failure is null && Updated == Desired && Current == Desired && Available == Desired && Ready == Desired;

    public string Summary
    {
        get
        {
            if (!Exists)
            {
                return "not found";
            }

            var summary = $"{Ready}/{Desired} ready, {Updated}/{Desired} updated";
            if (Current > Updated)
            {
                summary += $", {Current - Updated} old still running";
            }

            return Failure is null ? summary : $"{summary}; {Failure}";
        }
    }

    /// <summary>The state of <paramref name="deployment"/>, which is null when the API has no such Deployment.</summary>
    public static RolloutState Of(string name, V1Deployment? deployment)
    {
        if (deployment is null)
        {
            return new RolloutState(name, false, false, 0, 0, 0, 0, 0, null);
        }

        var status = deployment.Status;
        var observed = (status?.ObservedGeneration ?? 0) >= (deployment.Metadata?.Generation ?? 0);
        var stalled = status?.Conditions?.FirstOrDefault(condition => condition is { Type: "Progressing", Reason: "ProgressDeadlineExceeded" });
        return new RolloutState(
            name,
            Exists: true,
            Observed: observed,
            Desired: deployment.Spec?.Replicas ?? 1,
            // A controller that has not seen the latest spec yet has not started the rollout.
            Updated: observed ? status?.UpdatedReplicas ?? 0 : 0,
            Ready: status?.ReadyReplicas ?? 0,
            Available: status?.AvailableReplicas ?? 0,
            Current: status?.Replicas ?? 0,
            Failure: stalled is null ? null : $"rollout stalled: {stalled.Message}");
    }

    /// <summary>The lines `kubectl get deployments` prints for these Deployments.</summary>
    public static IReadOnlyList<string> KubectlTable(IEnumerable<RolloutState> states) =>
        Steps.KubectlTable.Format(
            ["NAME", "READY", "UP-TO-DATE", "AVAILABLE"],
            states.Select(state => (IReadOnlyList<string>)
            [
                state.Deployment,
                $"{state.Ready}/{state.Desired}",
                state.Updated.ToString(CultureInfo.InvariantCulture),
                state.Available.ToString(CultureInfo.InvariantCulture),
            ]));

    /// <summary>Says which Deployments are not ready, and how to create them if they are missing.</summary>
    public static string NotReadyMessage(IEnumerable<RolloutState> states, TimeSpan timeout)
    {
        var pending = states.Where(state => !state.Complete).ToList();
        var lines = pending.Select(state => $"  {state.Deployment}: {state.Summary}");
        var message = $"Not ready after {timeout.TotalSeconds:0} s:{Environment.NewLine}" + string.Join(Environment.NewLine, lines);
        return pending.Any(state => !state.Exists)
            ? message + Environment.NewLine + "Deploy first: dotnet cake --target=Deploy (it runs kubectl apply -f k8s/)."
            : message;
    }
}
