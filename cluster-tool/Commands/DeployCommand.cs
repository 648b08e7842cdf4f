using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`deploy`: kubectl apply -f k8s/, a restart of the Deployments that already ran, and the wait for both rollouts.</summary>
internal sealed class DeployCommand : ClusterCommand<ClusterSettings>
{
    protected override async Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken)
    {
        await new DeployStep(host, connection).ApplyAsync(cancellationToken);
        await RolloutWait.RunAsync(host, cluster, [.. DemoContract.Apps.Select(app => app.Deployment)], settings.Timeout, cancellationToken);
        host.Console.MarkupLine("[green]Deployed: both Deployments are rolled out and ready.[/]");
    }
}
