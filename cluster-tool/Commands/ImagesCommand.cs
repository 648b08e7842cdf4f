using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Images;
using MinikubeDemo.ClusterTool.Processes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

internal sealed class ImagesSettings : CommandSettings
{
    [CommandOption("--cluster <KIND>")]
    [Description("Where the images go: minikube, kind, k3d, k3s, rancher-desktop, docker-desktop, or docker (this Docker engine only, no cluster needed). Default: told from the kubectl context.")]
    public string? Cluster { get; init; }

    public ClusterKind? Kind => Cluster is null ? null : ClusterIdentity.TryParse(Cluster, out var kind) ? kind : null;

    public override ValidationResult Validate() =>
        Cluster is not null && Kind is null
            ? ValidationResult.Error($"--cluster: '{Cluster}' is not one of {string.Join(", ", Enum.GetValues<ClusterKind>().Select(ClusterIdentity.Describe))}")
            : ValidationResult.Success();
}

/// <summary>`images`: builds both images where the cluster of the current context runs them (<see cref="ImagesStep"/>).</summary>
internal sealed class ImagesCommand : AsyncCommand<ImagesSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, ImagesSettings settings, CancellationToken cancellationToken) =>
        CommandOutcome.RunAsync(AnsiConsole.Console, async () =>
        {
            var step = new ImagesStep(SystemProcessRunner.Instance, AnsiConsole.Console, RepositoryLocation.Find(), ImagesStep.BaseImagesFromEnvironment());
            if (settings.Kind == ClusterKind.Docker)
            {
                await step.RunAsync(new ClusterIdentity(ClusterKind.Docker, null, []), cancellationToken);
                return;
            }

            using var session = await ClusterCommand<ClusterSettings>.ConnectAsync(null, cancellationToken);
            var nodes = await new DemoCluster(session).ReadNodesAsync(cancellationToken);
            await step.RunAsync(ClusterIdentity.Detect(session.Context, [.. nodes], settings.Kind), cancellationToken);
        }, cancellationToken);
}
