using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
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

        [CommandOption("--build-in <WHERE>")]
        [Description("minikube: host (docker build here, then minikube image load) or node (minikube image build in every node). Default: host where this machine has a Docker engine, else node.")]
        public string? BuildIn { get; init; }

        public ClusterKind? Kind => Cluster is null ? null : ClusterIdentity.Parse(Cluster);

        public bool? InNodes => BuildIn switch { "node" => true, "host" => false, _ => null };

        public override ValidationResult Validate() =>
            Cluster is not null && Kind is null
                ? ValidationResult.Error($"--cluster: '{Cluster}' is not one of {string.Join(", ", Enum.GetValues<ClusterKind>().Select(ClusterIdentity.Describe))}")
                : BuildIn is not (null or "host" or "node") ? ValidationResult.Error($"--build-in: '{BuildIn}' is not host or node")
                : ValidationResult.Success();
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var host = (ToolHost)context.Data!;
        return CommandOutcome.RunAsync(host.Console, async () =>
        {
            if (settings.Kind == ClusterKind.Docker)
            {
                await new ImagesStep(host).RunAsync(new ClusterIdentity(ClusterKind.Docker, null, []), settings.InNodes, cancellationToken);
                return;
            }

            using var connection = await ClusterCommand<ClusterSettings>.ConnectAsync(host, null, cancellationToken);
            var nodes = await new DemoCluster(connection).ReadNodesAsync(cancellationToken);
            await new ImagesStep(host).RunAsync(ClusterIdentity.Detect(connection.Context, [.. nodes], settings.Kind), settings.InNodes, cancellationToken);
        }, cancellationToken);
    }
}
