using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.Contract;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

internal sealed class ScaleSettings : ClusterSettings
{
    [CommandOption("-r|--replicas <COUNT>")]
    [Description("Server replicas to scale minikube-demo-server-deployment to.")]
    public int? Replicas { get; init; }

    public override ValidationResult Validate() =>
        Replicas is null or < 0 ? ValidationResult.Error("--replicas must be given as a number of 0 or more") : base.Validate();
}

/// <summary>`scale`: the chapter's "change replicas to 1 and the endpoints list shrinks", watched live.</summary>
internal sealed class ScaleCommand : ClusterCommand<ScaleSettings>
{
    protected override async Task RunAsync(ClusterSession session, DemoCluster cluster, ScaleSettings settings, CancellationToken cancellationToken)
    {
        var replicas = settings.Replicas!.Value;
        AnsiConsole.MarkupLineInterpolated($"Scaling {DemoContract.Server.Deployment} to {replicas}; the endpoint list follows:");
        var before = await cluster.ReadyEndpointsAsync(DemoContract.Server.Service, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"[grey]{"before",-8}[/]  {DemoContract.Server.Service}   {EndpointCheck.FormatLikeKubectl(before)}");
        await cluster.ScaleAsync(DemoContract.Server.Deployment, replicas, cancellationToken);
        var endpoints = await EndpointFollower.FollowAsync(cluster, settings.Timeout, cancellationToken);
        EndpointFollower.PrintLikeKubectl(endpoints);
    }
}
