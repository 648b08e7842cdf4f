namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>
/// One node as the image steps need it: its name, its container runtime (docker, containerd, cri-o), whether it is
/// minikube's primary, and the host name its kubelet reports (the <c>kubernetes.io/hostname</c> label).
/// </summary>
internal sealed record ClusterNode(string Name, string Runtime, bool Primary, string? HostName = null);
