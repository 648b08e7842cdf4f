namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>What keeps a pod from running and ready, as far as the rollout wait tells them apart.</summary>
internal enum PodProblemKind
{
    /// <summary>The image is not on the node (ErrImageNeverPull) or its name is invalid: it will not appear by waiting.</summary>
    ImageMissing,

    /// <summary>The kubelet cannot pull the image yet (ErrImagePull, ImagePullBackOff): it keeps trying, and a registry may come back.</summary>
    ImagePullFailing,

    CrashLooping,

    /// <summary>The pod's configuration is wrong in a way the kubelet cannot mend (CreateContainerConfigError: a missing ConfigMap, Secret or key, runAsNonRoot with a root image).</summary>
    ContainerConfigError,

    /// <summary>
    /// CreateContainerConfigError that passes: above all a kubelet that has just started and has not read the Services
    /// yet, so it cannot make the service variables; it succeeds on a later sync.
    /// </summary>
    ContainerConfigPending,

    /// <summary>The runtime failed to create or start the container (CreateContainerError, RunContainerError): the kubelet retries, and it often heals.</summary>
    ContainerStartFailing,

    Unschedulable,
    NotReady,
}
