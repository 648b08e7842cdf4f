using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>Requests through the fetcher's Service, as Verify sends them: the first answer waited for, then many, tallied.</summary>
internal static class FetcherTraffic
{
    /// <summary>On a new cluster DNS and the NetworkPolicy may take a few seconds to be in force: the first answer is waited for this long.</summary>
    public static readonly TimeSpan FirstAnswerLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Until the fetcher gives the chapter's answer. On a cluster that just started, the first calls can fail while
    /// cluster DNS and the NetworkPolicy come into force; a 200 with another body will not get better.
    /// </summary>
    public static async Task<FetcherReply> FirstAnswerAsync(ToolHost host, DemoCluster cluster, CancellationToken cancellationToken)
    {
        WaitResult<FetchAttempt>? result = null;
        var waitingFor = $"Waiting up to {FirstAnswerLimit.TotalSeconds:0} s for the fetcher's first answer (on a new cluster, DNS and the NetworkPolicy take a few seconds)";
        await host.Console.Status().StartAsync(waitingFor, async status =>
            result = await Poll.UntilAsync(host, token => FetchAttempt.TryAsync(cluster, token),
                attempt => attempt.Problem is null ? WaitEnd.Done : attempt.Reply?.Status == System.Net.HttpStatusCode.OK ? WaitEnd.Failed : null,
                FirstAnswerLimit, (attempt, elapsed) =>
                {
                    if (attempt.Problem is { } problem)
                    {
                        status.Status(Markup.Escape($"{waitingFor}: {elapsed.TotalSeconds:0} s, last: {problem}"));
                    }
                }, cancellationToken));

        var reply = result!.End == WaitEnd.Done
            ? result.Last.Reply!
            : throw new ClusterToolException(result.End == WaitEnd.TimedOut
                ? $"No good answer from the fetcher within {FirstAnswerLimit.TotalSeconds:0} s. Last: {result.Last.Problem}"
                : result.Last.Problem!);
        host.Console.MarkupLineInterpolated($"GET / on {DemoContract.Fetcher.Service}: [green]{reply.Body}[/] (server pod {reply.UpstreamInstance ?? "unknown"})");
        return reply;
    }

    /// <summary><paramref name="requests"/> requests, <paramref name="concurrency"/> at a time, with a progress bar.</summary>
    public static async Task<TrafficTally> SendAsync(ToolHost host, DemoCluster cluster, int requests, int concurrency, CancellationToken cancellationToken)
    {
        var attempts = new FetchAttempt[requests];
        await host.Console.Progress()
            .AutoClear(true)
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask($"{requests} requests to the fetcher", maxValue: requests);
                await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                    async (index, token) =>
                    {
                        attempts[index] = await FetchAttempt.TryAsync(cluster, token);
                        bar.Increment(1);
                    });
            });

        return new TrafficTally(attempts);
    }
}
