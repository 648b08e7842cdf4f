using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`scale`: the chapter's "change replicas to 1 and the endpoints list shrinks", watched live.</summary>
internal sealed class ScaleCommand : ClusterCommand<ScaleCommand.Settings>
{
    public sealed class Settings : ClusterSettings
    {
        [CommandOption("-r|--replicas <COUNT>")]
        [Description("Server replicas to scale minikube-demo-server-deployment to.")]
        public int? Replicas { get; init; }

        public override ValidationResult Validate() =>
            Replicas is null or < 0 ? ValidationResult.Error("--replicas must be given as a number of 0 or more") : base.Validate();
    }

    protected override async Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, Settings settings, CancellationToken cancellationToken)
    {
        var replicas = settings.Replicas!.Value;
        host.Console.MarkupLineInterpolated($"Scaling {DemoContract.Server.Deployment} to {replicas}; the endpoint list follows:");
        var before = EndpointList.ReadyEndpoints(await cluster.ReadEndpointSlicesAsync(DemoContract.Server.Service, cancellationToken));
        host.Console.MarkupLineInterpolated($"[grey]{"before",-8}[/]  {DemoContract.Server.Service}   {EndpointList.FormatLikeKubectl(before)}");
        await cluster.ScaleAsync(DemoContract.Server.Deployment, replicas, cancellationToken);
        await EndpointWait.RunAsync(host, cluster, settings.Timeout, cancellationToken);
    }
}
