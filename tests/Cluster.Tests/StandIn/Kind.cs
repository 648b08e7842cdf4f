using System.Text;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// `kind load docker-image IMAGE... --name CLUSTER` (pkg/cmd/kind/load/docker-image/docker-image.go): every node gets
/// the host's images unless it already has the same ID; a missing image or cluster exits 1.
/// </summary>
internal static class Kind
{
    public static ProcessResult Run(SimCluster cluster, ToolCall call, string name)
    {
        if (call.Option("--name") != name)
        {
            return ToolBox.Fails(1, $"ERROR: no nodes found for cluster \"{call.Option("--name")}\"");
        }

        var output = new StringBuilder();
        foreach (var tag in call.Words("--name").Skip(2))
        {
            if (cluster.HostDocker?.Find(tag) is not { } image)
            {
                return ToolBox.Fails(1, $"ERROR: image: \"{tag}\" not present locally");
            }

            foreach (var node in cluster.Nodes.Where(node => node.Images.Find(tag)?.Id != image.Id))
            {
                output.Append($"Image: \"{tag}\" with ID \"{image.Id}\" not yet present on node \"{node.Name}\", loading...\n");
                node.Images.Tag(tag, image);
            }
        }

        return ToolBox.Prints(output.ToString());
    }
}
