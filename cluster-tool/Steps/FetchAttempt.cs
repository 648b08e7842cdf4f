using System.Net;
using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>One try of the fetcher through its Service: its reply, or why there was none; judged against the chapter's exact body.</summary>
internal sealed record FetchAttempt(FetcherReply? Reply, string? NoReply)
{
    /// <summary>Null when the reply is the chapter's; otherwise what went wrong and where to look.</summary>
    public string? Problem => Reply is { } reply ? ProblemOf(reply.Status, reply.Body) : NoReply;

    /// <summary>How a failure is counted: its status, or that no answer came at all.</summary>
    public string FailureKind => Reply is { } reply ? ((int)reply.Status).ToString(CultureInfo.InvariantCulture) : "no answer";

    /// <summary>One try through the service proxy: a proxy that did not answer in time, or a dropped connection, is a failed try.</summary>
    public static async Task<FetchAttempt> TryAsync(DemoCluster cluster, CancellationToken cancellationToken)
    {
        try
        {
            return new FetchAttempt(await cluster.FetchAsync(cancellationToken), null);
        }
        catch (ClusterToolException e)
        {
            return new FetchAttempt(null, e.Message);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection to the API server itself broke (a reset, an HTTP/2 GOAWAY): this try got no answer.
            return new FetchAttempt(null, $"The API server's proxy dropped the request ({(e.InnerException ?? e).Message.TrimEnd('.')})");
        }
    }

    private static string? ProblemOf(HttpStatusCode status, string body)
    {
        if (status == HttpStatusCode.OK && body == DemoContract.Fetcher.Body)
        {
            return null;
        }

        var got = $"got {(int)status} {Shorten(body)}";
        return status switch
        {
            HttpStatusCode.OK =>
                $"The fetcher answered 200 with an unexpected body: expected {DemoContract.Fetcher.Body}, {got}.",
            HttpStatusCode.BadGateway =>
                $"The fetcher could not get an answer from {DemoContract.Server.Service} ({got}): check the server pods " +
                $"and the NetworkPolicy, and the fetcher's log: kubectl logs deploy/{DemoContract.Fetcher.Deployment}.",
            HttpStatusCode.GatewayTimeout =>
                $"The fetcher timed out calling {DemoContract.Server.Service} ({got}): kubectl logs deploy/{DemoContract.Fetcher.Deployment}.",
            HttpStatusCode.ServiceUnavailable =>
                $"No ready fetcher pod behind {DemoContract.Fetcher.Service} ({got}): run the `wait` command, then kubectl get pods.",
            _ => $"Unexpected reply from the fetcher: expected 200 {DemoContract.Fetcher.Body}, {got}.",
        };
    }

    private static string Shorten(string body)
    {
        const int MaxShown = 300;
        var oneLine = body.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= MaxShown ? oneLine : string.Concat(oneLine.AsSpan(0, MaxShown), "...");
    }
}
