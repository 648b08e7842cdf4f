using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`images`: builds both images where the cluster of the current context runs them, on every node (<see cref="ImagesStep"/>).</summary>
internal sealed class ImagesCommand : AsyncCommand<ImagesCommand.Settings>
{
    public sealed class Settings : CommandSettings
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

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var host = (ToolHost)context.Data!;
        return CommandOutcome.RunAsync(host.Console, async () =>
        {
            if (settings.Kind == ClusterKind.Docker)
            {
                await new ImagesStep(host).RunAsync(new ClusterIdentity(ClusterKind.Docker, null, []), cancellationToken);
                return;
            }

            using var connection = await ClusterCommand<ClusterSettings>.ConnectAsync(host, null, cancellationToken);
            var nodes = await new DemoCluster(connection).ReadNodesAsync(cancellationToken);
            await new ImagesStep(host).RunAsync(ClusterIdentity.Detect(connection.Context, [.. nodes], settings.Kind), cancellationToken);
        }, cancellationToken);
    }
}
