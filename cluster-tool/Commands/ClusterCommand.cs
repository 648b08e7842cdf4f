using MinikubeDemo.ClusterTool.Cluster;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>A command on the cluster of the current kubeconfig context: connects, says which cluster it is, and runs.</summary>
internal abstract class ClusterCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : ClusterSettings
{
    public sealed override Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        var host = (ToolHost)context.Data!;
        return CommandOutcome.RunAsync(host.Console, async () =>
        {
            using var connection = await ConnectAsync(host, settings.Namespace, cancellationToken);
            await RunAsync(host, connection, new DemoCluster(connection), settings, cancellationToken);
        }, cancellationToken);
    }

    public static async Task<ClusterConnection> ConnectAsync(ToolHost host, string? @namespace, CancellationToken cancellationToken)
    {
        var connection = await ClusterConnection.ConnectAsync(host.KubeconfigFiles, @namespace, cancellationToken);
        host.Console.MarkupLineInterpolated($"[grey]Cluster: {connection.Description}, namespace {connection.Namespace}[/]");
        return connection;
    }

    protected abstract Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, TSettings settings, CancellationToken cancellationToken);
}
