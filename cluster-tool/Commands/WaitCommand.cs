using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.Contract;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`wait`: both rollouts finished, or a message naming what is not ready.</summary>
internal sealed class WaitCommand : ClusterCommand<ClusterSettings>
{
    protected override async Task RunAsync(ClusterSession session, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken)
    {
        await RolloutWaiter.WaitAsync(cluster, DemoContract.Apps.Select(app => app.Deployment).ToList(), settings.Timeout, cancellationToken);
        AnsiConsole.MarkupLine("[green]Both Deployments are rolled out and ready.[/]");
    }
}
