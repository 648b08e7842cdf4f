using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`reachable`: exit code 0 when the current context reaches a cluster, else 1 with the reason and how to start one (3: credentials refused).</summary>
internal sealed class ReachableCommand : ClusterCommand<ClusterSettings>
{
    protected override Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
