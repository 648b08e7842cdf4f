using System.Globalization;
using System.Net;

namespace MinikubeDemo.ClusterTool.Verification;

/// <summary>Judges one reply from the fetcher against the chapter's exact body.</summary>
internal static class FetcherReplyCheck
{
    /// <summary>Null when the reply is the chapter's; otherwise what went wrong and where to look.</summary>
    public static string? Problem(HttpStatusCode status, string body)
    {
        if (status == HttpStatusCode.OK && body == DemoNames.ExpectedFetcherBody)
        {
            return null;
        }

        var got = string.Create(CultureInfo.InvariantCulture, $"got {(int)status} {Shorten(body)}");
        return status switch
        {
            HttpStatusCode.OK =>
                $"The fetcher answered 200 with an unexpected body: expected {DemoNames.ExpectedFetcherBody}, {got}.",
            HttpStatusCode.BadGateway =>
                $"The fetcher could not get an answer from {DemoNames.ServerService} ({got}): check the server pods " +
                $"and the NetworkPolicy, and the fetcher's log: kubectl logs deploy/{DemoNames.FetcherDeployment}.",
            HttpStatusCode.GatewayTimeout =>
                $"The fetcher timed out calling {DemoNames.ServerService} ({got}): kubectl logs deploy/{DemoNames.FetcherDeployment}.",
            HttpStatusCode.ServiceUnavailable =>
                $"No ready fetcher pod behind {DemoNames.FetcherService} ({got}): run the `wait` command, then kubectl get pods.",
            _ => $"Unexpected reply from the fetcher: expected 200 {DemoNames.ExpectedFetcherBody}, {got}.",
        };
    }

    private static string Shorten(string body)
    {
        const int MaxShown = 300;
        var oneLine = body.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= MaxShown ? oneLine : string.Concat(oneLine.AsSpan(0, MaxShown), "...");
    }
}
