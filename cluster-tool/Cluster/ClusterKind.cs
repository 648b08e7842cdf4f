namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>Kinds of cluster that differ in how locally built images get into their nodes.</summary>
internal enum ClusterKind
{
    /// <summary>Images built with the host's Docker only: a cluster that shares Docker's images, or none (CI's `--cluster docker`).</summary>
    Docker,
    Minikube,
    Kind,
    K3d,
    K3s,
    RancherDesktop,
    DockerDesktop,
}
