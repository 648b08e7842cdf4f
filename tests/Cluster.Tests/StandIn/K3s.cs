namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// `k3s ctr images import TAR` (k3s's pkg/ctr/main.go): containerd's ctr on k3s's socket, in namespace k8s.io, which
/// only root can open; it imports into this machine's node, and an existing tag moves to the new image.
/// </summary>
internal static class K3s
{
    public static ProcessResult Run(SimCluster cluster, ToolCall call, string machine)
    {
        if (!call.Root)
        {
            return ToolBox.Fails(1, "ctr: failed to dial \"/run/k3s/containerd/containerd.sock\": connection error: desc = \"transport: error while dialing: dial unix /run/k3s/containerd/containerd.sock: connect: permission denied\"");
        }

        var tar = call.Arguments[^1];
        var output = new List<string>();
        foreach (var node in cluster.Nodes.Where(node => node.Labels.GetValueOrDefault("kubernetes.io/hostname", node.Name) == machine))
        {
            foreach (var (tag, image) in Docker.Saved(cluster, tar))
            {
                node.Images.Tag(tag, image);
                output.Add($"unpacking docker.io/library/{tag} ({image.Id})...done");
            }
        }

        return ToolBox.Prints(string.Join('\n', output) + "\n");
    }
}
