using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
using MinikubeDemo.Contract;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`wait`: both rollouts finished, or a message naming what is not ready and why.</summary>
internal sealed class WaitCommand : ClusterCommand<ClusterSettings>
{
    protected override async Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken)
    {
        await RolloutWait.RunAsync(host, cluster, [.. DemoContract.Apps.Select(app => app.Deployment)], settings.Timeout, cancellationToken);
        host.Console.MarkupLine("[green]Both Deployments are rolled out and ready.[/]");
    }
}
