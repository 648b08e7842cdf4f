using k8s.Autorest;
using MinikubeDemo.ClusterTool.Cluster;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>Connects to the cluster, runs the command, and turns every failure into a message and exit code 1.</summary>
internal abstract class ClusterCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : ClusterSettings
{
    public const int Failed = 1;

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            using var session = await ClusterSession.ConnectAsync(settings.Namespace, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"[grey]Cluster: {session.Description}, namespace {session.Namespace}[/]");
            await RunAsync(new DemoCluster(session), settings, cancellationToken);
            return 0;
        }
        catch (ClusterToolException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
        }
        catch (HttpOperationException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]The API server refused a request ({(int)e.Response.StatusCode} {e.Response.ReasonPhrase}): {e.Response.Content}[/]");
        }
        catch (HttpRequestException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Lost the connection to the cluster ({Reason(e)}). Is it still running? kubectl cluster-info[/]");
        }

        return Failed;
    }

    /// <summary>HttpClient's own message ("An error occurred while sending the request.") hides the socket's reason.</summary>
    private static string Reason(Exception e) => (e.InnerException ?? e).Message.TrimEnd('.');

    protected abstract Task RunAsync(DemoCluster cluster, TSettings settings, CancellationToken cancellationToken);
}
