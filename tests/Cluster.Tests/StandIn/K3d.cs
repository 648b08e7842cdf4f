namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// `k3d image import IMAGE... --cluster CLUSTER --mode direct` (pkg/client/tools.go importWithStream): the host's
/// images streamed into every node's containerd; a node that fails makes the command exit 1 in this mode.
/// </summary>
internal static class K3d
{
    public static ProcessResult Run(SimCluster cluster, ToolCall call, string name)
    {
        if (call.Option("--cluster", "-c") != name || call.Option("--mode", "-m") != "direct")
        {
            return ToolBox.Fails(1, $"FATA[0000] the stand-in models only the direct mode into cluster '{name}'");
        }

        var tags = call.Words("--cluster", "-c", "--mode", "-m").Skip(2).ToList();
        foreach (var tag in tags)
        {
            var image = cluster.HostDocker?.Find(tag);
            if (image is null)
            {
                return ToolBox.Fails(1, $"ERRO[0000] Failed to import image(s) into cluster '{name}': no valid images specified");
            }

            foreach (var node in cluster.Nodes)
            {
                node.Images.Tag(tag, image);
            }
        }

        return ToolBox.Prints($"INFO[0000] Importing image(s) into cluster '{name}'\nINFO[0002] Successfully imported {tags.Count} image(s) into 1 cluster(s)\n");
    }
}
