using k8s.Autorest;
using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>Runs a command and turns every way it can end into one line on the console and the exit code.</summary>
internal static class CommandOutcome
{
    public const int Succeeded = 0;

    public const int Failed = 1;

    /// <summary>What shells report for a program stopped by Ctrl+C (128 + SIGINT).</summary>
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(IAnsiConsole console, Func<Task> command, CancellationToken cancellationToken)
    {
        try
        {
            await command();
            return Succeeded;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]Cancelled.[/]");
            return Cancelled;
        }
        catch (OperationCanceledException e)
        {
            // Nobody asked to stop, so a client gave up waiting (HttpClient.Timeout).
            console.MarkupLineInterpolated($"[red]A request to the cluster timed out ({e.Message.TrimEnd('.')}). Is it still running? kubectl cluster-info[/]");
        }
        catch (ClusterToolException e)
        {
            console.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return e.ExitCode;
        }
        catch (HttpOperationException e)
        {
            console.MarkupLineInterpolated($"[red]The API server refused a request ({(int)e.Response.StatusCode} {e.Response.ReasonPhrase}): {e.Response.Content}[/]");
        }
        catch (HttpRequestException e)
        {
            console.MarkupLineInterpolated($"[red]Lost the connection to the cluster ({Reason(e)}). Is it still running? kubectl cluster-info[/]");
        }

        return Failed;
    }

    /// <summary>HttpClient's own message ("An error occurred while sending the request.") hides the socket's reason.</summary>
    private static string Reason(Exception e) => (e.InnerException ?? e).Message.TrimEnd('.');
}
