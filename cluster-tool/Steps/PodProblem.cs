namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>What is wrong with one pod's container.</summary>
internal sealed record PodProblem(string Pod, string Container, PodProblemKind Kind, string Detail)
{
    /// <summary>
    /// Hard failures do not go away by waiting longer, so a wait stops on them at once; the rest are reported
    /// while the kubelet retries, as `kubectl rollout status` does.
    /// </summary>
    public bool IsHardFailure => Kind is PodProblemKind.ImageMissing or PodProblemKind.CrashLooping or PodProblemKind.ContainerConfigError;
}
