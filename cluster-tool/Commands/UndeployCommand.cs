using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`undeploy`: kubectl delete -f k8s/ (what k8s/gateway-api/ created stays: kubectl delete -f k8s/gateway-api/).</summary>
internal sealed class UndeployCommand : ClusterCommand<ClusterSettings>
{
    protected override Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken) =>
        new DeployStep(host, connection).DeleteAsync(settings.Timeout, cancellationToken);
}
