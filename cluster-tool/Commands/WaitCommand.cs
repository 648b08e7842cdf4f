using MinikubeDemo.ClusterTool.Cluster;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`wait`: both rollouts finished, or a message naming what is not ready.</summary>
internal sealed class WaitCommand : ClusterCommand<ClusterSettings>
{
    protected override async Task RunAsync(DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken)
    {
        await RolloutWaiter.WaitAsync(cluster, DemoNames.Deployments, settings.Timeout, cancellationToken);
        AnsiConsole.MarkupLine("[green]Both Deployments are rolled out and ready.[/]");
    }
}
