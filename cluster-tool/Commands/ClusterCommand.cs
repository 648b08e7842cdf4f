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
            using var session = await ConnectAsync(settings.Namespace, cancellationToken);
            await RunAsync(session, new DemoCluster(session), settings, cancellationToken);
        }, cancellationToken);

    /// <summary>Connects to the current context's cluster and says which one it is.</summary>
    public static async Task<ClusterSession> ConnectAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var session = await ClusterSession.ConnectAsync(@namespace, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"[grey]Cluster: {session.Description}, namespace {session.Namespace}[/]");
        return session;
    }

    protected abstract Task RunAsync(ClusterSession session, DemoCluster cluster, TSettings settings, CancellationToken cancellationToken);
}
