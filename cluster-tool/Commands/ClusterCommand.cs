using MinikubeDemo.ClusterTool.Cluster;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>Connects to the cluster and runs the command; <see cref="CommandOutcome"/> turns its failures into a message and an exit code.</summary>
internal abstract class ClusterCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : ClusterSettings
{
    public sealed override Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken) =>
        CommandOutcome.RunAsync(AnsiConsole.Console, async () =>
        {
            using var session = await ClusterSession.ConnectAsync(settings.Namespace, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"[grey]Cluster: {session.Description}, namespace {session.Namespace}[/]");
            await RunAsync(new DemoCluster(session), settings, cancellationToken);
        }, cancellationToken);

    protected abstract Task RunAsync(DemoCluster cluster, TSettings settings, CancellationToken cancellationToken);
}
