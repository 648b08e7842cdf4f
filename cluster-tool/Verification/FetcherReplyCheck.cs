using System.Globalization;
using System.Net;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ClusterTool.Verification;

/// <summary>Judges one reply from the fetcher against the chapter's exact body.</summary>
internal static class FetcherReplyCheck
{
    /// <summary>Null when the reply is the chapter's; otherwise what went wrong and where to look.</summary>
    public static string? Problem(HttpStatusCode status, string body)
    {
        if (status == HttpStatusCode.OK && body == DemoContract.Fetcher.Body)
        {
            return null;
        }

        var got = string.Create(CultureInfo.InvariantCulture, $"got {(int)status} {Shorten(body)}");
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
