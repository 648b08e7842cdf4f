using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>One node: what the API lists of it, and the image store its kubelet starts containers from.</summary>
internal sealed class SimNode(string name, string runtime, ImageStore images)
{
    public string Name { get; } = name;

    /// <summary>docker or containerd, as the node's status reports it ("docker://28.4.0").</summary>
    public string Runtime { get; } = runtime;

    public ImageStore Images { get; } = images;

    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    public string? ProviderId { get; init; }

    public string KubeletVersion { get; init; } = "v1.34.0";

    /// <summary>Why loading an image onto this node fails (a full disk, say); null when it works.</summary>
    public string? LoadFails { get; set; }

    public V1Node ToApi() => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = Name, Labels = new Dictionary<string, string>(Labels) { ["kubernetes.io/hostname"] = Labels.GetValueOrDefault("kubernetes.io/hostname", Name) } },
        Spec = new V1NodeSpec { ProviderID = ProviderId },
        Status = new V1NodeStatus
        {
            NodeInfo = new V1NodeSystemInfo { ContainerRuntimeVersion = Runtime == "docker" ? "docker://28.4.0" : "containerd://2.1.4", KubeletVersion = KubeletVersion },
        },
    };
}
