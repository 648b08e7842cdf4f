using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Deploy;
using MinikubeDemo.ClusterTool.Processes;
using MinikubeDemo.Contract;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`deploy`: kubectl apply -f k8s/, a restart of the Deployments that already ran, and the wait for both rollouts.</summary>
internal sealed class DeployCommand : ClusterCommand<ClusterSettings>
{
    protected override async Task RunAsync(ClusterSession session, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken)
    {
        await Step(session, cluster).ApplyAsync(cancellationToken);
        await RolloutWaiter.WaitAsync(cluster, [.. DemoContract.Apps.Select(app => app.Deployment)], settings.Timeout, cancellationToken);
        AnsiConsole.MarkupLine("[green]Deployed: both Deployments are rolled out and ready.[/]");
    }

    public static DeployStep Step(ClusterSession session, DemoCluster cluster) =>
        new(new StepCommands(SystemProcessRunner.Instance, AnsiConsole.Console, RepositoryLocation.Find()), AnsiConsole.Console, cluster, session, TimeProvider.System);
}

/// <summary>`undeploy`: kubectl delete -f k8s/ (what k8s/gateway-api/ created stays: kubectl delete -f k8s/gateway-api/).</summary>
internal sealed class UndeployCommand : ClusterCommand<ClusterSettings>
{
    protected override Task RunAsync(ClusterSession session, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken) =>
        DeployCommand.Step(session, cluster).DeleteAsync(settings.Timeout, cancellationToken);
}

/// <summary>`reachable`: exit code 0 when the current context reaches a cluster, else 1 with the reason and how to start one.</summary>
internal sealed class ReachableCommand : ClusterCommand<ClusterSettings>
{
    protected override Task RunAsync(ClusterSession session, DemoCluster cluster, ClusterSettings settings, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
