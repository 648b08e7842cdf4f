using k8s.Models;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>Turns pod statuses into problems a person can act on.</summary>
internal static class PodDiagnosis
{
    private static readonly HashSet<string> MissingImageReasons = new(StringComparer.Ordinal) { "ErrImageNeverPull", "InvalidImageName" };
    private static readonly HashSet<string> PullReasons = new(StringComparer.Ordinal) { "ErrImagePull", "ImagePullBackOff" };
    private static readonly HashSet<string> StartReasons = new(StringComparer.Ordinal) { "CreateContainerError", "RunContainerError" };

    /// <summary>
    /// The CreateContainerConfigError messages that stay until the manifests or the image change: a missing ConfigMap,
    /// Secret or key (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables, configmap_manager.go), and a root image
    /// or a runAsUser of 0 under runAsNonRoot (kuberuntime's verifyRunAsNonRoot). Any other one, such as a kubelet that has not read the
    /// Services yet, is waited for, and shown at the timeout if it stays.
    /// </summary>
    private static readonly string[] LastingConfigErrors = ["configmap \"", "secret \"", "couldn't find key", "runAsNonRoot", "non-root policy"];

    public static IReadOnlyList<PodProblem> Diagnose(IEnumerable<V1Pod> pods)
    {
        var problems = new List<PodProblem>();
        foreach (var pod in pods.Where(pod => pod.Metadata?.DeletionTimestamp is null))
        {
            var name = pod.Metadata?.Name ?? "(unnamed)";
            var unscheduled = pod.Status?.Conditions?.FirstOrDefault(condition => condition is { Type: "PodScheduled", Status: "False" });
            if (unscheduled is not null)
            {
                problems.Add(new PodProblem(name, "", PodProblemKind.Unschedulable, unscheduled.Message ?? unscheduled.Reason ?? "no node fits"));
                continue;
            }

            foreach (var container in pod.Status?.ContainerStatuses ?? [])
            {
                if (Classify(container) is { } problem)
                {
                    problems.Add(new PodProblem(name, container.Name, problem.Kind, problem.Detail));
                }
            }
        }

        return problems;
    }

    /// <summary>The message for one problem, ending in what to do.</summary>
    public static string Describe(PodProblem problem, IReadOnlyList<string> lastLogLines) => problem.Kind switch
    {
        PodProblemKind.ImageMissing =>
            $"Pod {problem.Pod}: {problem.Detail}. imagePullPolicy is Never, so the image must already be in the cluster's image store: " +
            "build it there with dotnet cake --target=Images (on minikube, `minikube image ls` lists what the node has).",
        PodProblemKind.CrashLooping =>
            $"Pod {problem.Pod} is crash-looping: {problem.Detail}. Its last log lines:{Environment.NewLine}" +
            (lastLogLines.Count == 0 ? "  (the container wrote no log lines)" : string.Join(Environment.NewLine, lastLogLines.Select(line => $"  | {line}"))) +
            $"{Environment.NewLine}Fix the cause, rebuild the image (dotnet cake --target=Images) and redeploy (dotnet cake --target=Deploy).",
        PodProblemKind.ImagePullFailing =>
            $"Pod {problem.Pod}: {problem.Detail}. The manifests use imagePullPolicy: Never, so check the image name in k8s/ (kubectl describe pod {problem.Pod}).",
        PodProblemKind.ContainerConfigError =>
            $"Pod {problem.Pod}: the container cannot start: {problem.Detail}. Check its settings in k8s/ (kubectl describe pod {problem.Pod}).",
        PodProblemKind.ContainerConfigPending => $"Pod {problem.Pod}: the kubelet cannot make the container's configuration yet: {problem.Detail}.",
        PodProblemKind.ContainerStartFailing =>
            $"Pod {problem.Pod}: the runtime could not start the container: {problem.Detail}. See its events: kubectl describe pod {problem.Pod}.",
        PodProblemKind.Unschedulable =>
            $"Pod {problem.Pod} cannot be scheduled: {problem.Detail}. Free resources on the node or lower resources.requests in k8s/.",
        _ => $"Pod {problem.Pod} is running but not ready: {problem.Detail}. See its events: kubectl describe pod {problem.Pod}.",
    };

    private static (PodProblemKind Kind, string Detail)? Classify(V1ContainerStatus container)
    {
        var waiting = container.State?.Waiting;
        switch (waiting?.Reason)
        {
            case { } reason when MissingImageReasons.Contains(reason):
                return (PodProblemKind.ImageMissing, $"image {container.Image} is not available ({reason})");
            case { } reason when PullReasons.Contains(reason):
                return (PodProblemKind.ImagePullFailing, $"image {container.Image} cannot be pulled yet ({reason}: {waiting.Message})");
            case "CreateContainerConfigError":
                return (LastingConfigErrors.Any(error => waiting.Message?.Contains(error, StringComparison.Ordinal) == true) ? PodProblemKind.ContainerConfigError : PodProblemKind.ContainerConfigPending,
                    $"CreateContainerConfigError: {waiting.Message}");
            case { } reason when StartReasons.Contains(reason):
                return (PodProblemKind.ContainerStartFailing, $"{reason}: {waiting.Message}");
            case "CrashLoopBackOff":
                // The kubelet waiting before the next restart of a container that keeps exiting.
                return (PodProblemKind.CrashLooping, LastExit(container));
        }

        if (container.State?.Running is not null && !container.Ready)
        {
            var detail = container.RestartCount > 0 ? $"{LastExit(container)}; readiness probe failing" : "its readiness probe (/readyz) does not pass yet";
            return (PodProblemKind.NotReady, detail);
        }

        return null;
    }

    private static string LastExit(V1ContainerStatus container)
    {
        var restarts = $"{container.RestartCount} restart{(container.RestartCount == 1 ? "" : "s")}";
        if (container.LastState?.Terminated is not { } terminated)
        {
            return restarts;
        }

        var exit = $"{restarts}, last exit code {terminated.ExitCode}";
        // OOMKilled means the memory limit in k8s/ is too small for the app.
        return terminated.Reason is { Length: > 0 } reason ? $"{exit} ({reason})" : exit;
    }
}
