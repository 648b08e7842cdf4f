using System.Globalization;
using k8s.Models;

namespace MinikubeDemo.ClusterTool.Verification;

/// <summary>Where one Deployment's rollout stands, as `kubectl rollout status` judges it.</summary>
internal sealed record RolloutState(string Deployment, bool Exists, int Desired, int Updated, int Ready, int Available, int Current, string? Failure)
{
    public bool Complete => Exists && Failure is null && Updated == Desired && Current == Desired && Available == Desired && Ready == Desired;

    public string Summary
    {
        get
        {
            if (!Exists)
            {
                return "not found";
            }

            var summary = string.Create(CultureInfo.InvariantCulture, $"{Ready}/{Desired} ready, {Updated}/{Desired} updated");
            if (Current > Updated)
            {
                summary += string.Create(CultureInfo.InvariantCulture, $", {Current - Updated} old still running");
            }

            return Failure is null ? summary : $"{summary}; {Failure}";
        }
    }
}

internal static class RolloutCheck
{
    public static RolloutState Evaluate(V1Deployment deployment)
    {
        var status = deployment.Status;
        var observed = (status?.ObservedGeneration ?? 0) >= (deployment.Metadata?.Generation ?? 0);
        var stalled = status?.Conditions?.FirstOrDefault(condition => condition is { Type: "Progressing", Reason: "ProgressDeadlineExceeded" });
        return new RolloutState(
            deployment.Metadata?.Name ?? "(unnamed)",
            Exists: true,
            Desired: deployment.Spec?.Replicas ?? 1,
            // A controller that has not seen the latest spec yet has not started the rollout.
            Updated: observed ? status?.UpdatedReplicas ?? 0 : 0,
            Ready: status?.ReadyReplicas ?? 0,
            Available: status?.AvailableReplicas ?? 0,
            Current: status?.Replicas ?? 0,
            Failure: stalled is null ? null : $"rollout stalled: {stalled.Message}");
    }

    public static RolloutState Missing(string deployment) => new(deployment, false, 0, 0, 0, 0, 0, null);

    /// <summary>The lines `kubectl get deployments` prints for these Deployments.</summary>
    public static IReadOnlyList<string> KubectlTable(IEnumerable<RolloutState> states) =>
        Verification.KubectlTable.Format(
            ["NAME", "READY", "UP-TO-DATE", "AVAILABLE"],
            states.Select(state => (IReadOnlyList<string>)
            [
                state.Deployment,
                string.Create(CultureInfo.InvariantCulture, $"{state.Ready}/{state.Desired}"),
                state.Updated.ToString(CultureInfo.InvariantCulture),
                state.Available.ToString(CultureInfo.InvariantCulture),
            ]));

    /// <summary>Says which Deployments are not ready, and how to create them if they are missing.</summary>
    public static string NotReadyMessage(IEnumerable<RolloutState> states, TimeSpan timeout)
    {
        var pending = states.Where(state => !state.Complete).ToList();
        if (pending.Count == 0)
        {
            return "All Deployments are ready.";
        }

        var lines = pending.Select(state => $"  {state.Deployment}: {state.Summary}");
        var message = string.Create(CultureInfo.InvariantCulture, $"Not ready after {timeout.TotalSeconds:0} s:{Environment.NewLine}") + string.Join(Environment.NewLine, lines);
        if (pending.Any(state => !state.Exists))
        {
            message += Environment.NewLine + "Deploy first: dotnet cake --target=Deploy (it runs kubectl apply -f k8s/).";
        }

        return message;
    }
}
