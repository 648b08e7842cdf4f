using System.ComponentModel;
using System.Globalization;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.ClusterTool.Waiting;
using MinikubeDemo.Contract;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

internal sealed class VerifySettings : ClusterSettings
{
    [CommandOption("--requests <COUNT>")]
    [Description("Requests to send to the fetcher for the per-pod bar chart.")]
    [DefaultValue(300)]
    public int Requests { get; init; } = 300;

    [CommandOption("--concurrency <COUNT>")]
    [Description("Requests in flight at once; several let the fetcher open connections to several server pods.")]
    [DefaultValue(8)]
    public int Concurrency { get; init; } = 8;

    public override ValidationResult Validate() =>
        Requests < 1 || Concurrency < 1 ? ValidationResult.Error("--requests and --concurrency must be at least 1") : base.Validate();
}

/// <summary>`verify`: rollouts done, endpoints match ready replicas, the fetcher's exact body, and which server pods answered.</summary>
internal sealed class VerifyCommand : ClusterCommand<VerifySettings>
{
    protected override async Task RunAsync(ClusterSession session, DemoCluster cluster, VerifySettings settings, CancellationToken cancellationToken)
    {
        await RolloutWaiter.WaitAsync(cluster, DemoContract.Apps.Select(app => app.Deployment).ToList(), settings.Timeout, cancellationToken);

        var endpoints = await EndpointFollower.FollowAsync(cluster, settings.Timeout, cancellationToken);
        EndpointFollower.PrintLikeKubectl(endpoints);

        var dns = await DemoWaits.ClusterDnsAsync(cluster, settings.Timeout, null, cancellationToken);
        if (dns.End != WaitEnd.Done)
        {
            throw new ClusterToolException(
                $"The cluster's DNS is not available ({dns.Last.Summary}): the fetcher finds the server by name through it. kubectl -n kube-system describe deployment {dns.Last.Deployment}");
        }

        AnsiConsole.MarkupLineInterpolated($"[grey]Cluster DNS: {dns.Last.Summary}[/]");
        var first = await FirstAnswerAsync(cluster, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"GET / on {DemoContract.Fetcher.Service}: [green]{first.Body}[/] (server pod {first.UpstreamInstance ?? "unknown"})");

        var tally = await SendManyAsync(cluster, settings, cancellationToken);
        var path = new ServicePath(
            await cluster.ReadFetcherUpstreamAsync(cancellationToken),
            session.Namespace,
            await cluster.ReadServiceAsync(DemoContract.Server.Service, cancellationToken),
            await cluster.ReadEndpointEntriesAsync(DemoContract.Server.Service, cancellationToken));
        AnsiConsole.WriteLine();
        AnsiConsole.Write(ServicePathView.Render(path, tally));
        AnsiConsole.WriteLine();
        if (tally.Failed > 0)
        {
            throw new ClusterToolException(string.Create(CultureInfo.InvariantCulture, $"{tally.Failed} of {tally.Total} requests failed ({string.Join(", ", tally.Failures.Select(pair => $"{pair.Key} × {pair.Value}"))}), above."));
        }

        var silent = tally.Silent(await cluster.ReadyPodsAsync(DemoContract.Server.Deployment, cancellationToken));
        if (silent.Count > 0)
        {
            // Not a failure: which pod answers is up to the fetcher's connection reuse and kube-proxy.
            AnsiConsole.MarkupLineInterpolated($"[yellow]No request reached {string.Join(", ", silent)}; with more requests or concurrency the spread evens out.[/]");
        }

        AnsiConsole.MarkupLine("[green]Verified.[/]");
    }

    /// <summary>The first answer is waited for: on a new cluster DNS and the NetworkPolicy may take a few seconds to be in force.</summary>
    public static readonly TimeSpan FirstAnswerLimit = TimeSpan.FromSeconds(60);

    private static async Task<FetcherReply> FirstAnswerAsync(DemoCluster cluster, CancellationToken cancellationToken)
    {
        WaitResult<FetchAttempt>? result = null;
        var waitingFor = $"Waiting up to {FirstAnswerLimit.TotalSeconds:0} s for the fetcher's first answer (on a new cluster, DNS and the NetworkPolicy take a few seconds)";
        await AnsiConsole.Status().StartAsync(waitingFor, async status =>
            result = await DemoWaits.FirstAnswerAsync(cluster, FirstAnswerLimit, (attempt, elapsed) =>
            {
                if (attempt.Problem is { } problem)
                {
                    status.Status(Markup.Escape($"{waitingFor}: {elapsed.TotalSeconds:0} s, last: {problem}"));
                }
            }, cancellationToken));

        return result!.End == WaitEnd.Done
            ? result.Last.Reply!
            : throw new ClusterToolException(result.End == WaitEnd.TimedOut
                ? $"No good answer from the fetcher within {FirstAnswerLimit.TotalSeconds:0} s. Last: {result.Last.Problem}"
                : result.Last.Problem!);
    }

    private static async Task<TrafficTally> SendManyAsync(DemoCluster cluster, VerifySettings settings, CancellationToken cancellationToken)
    {
        var attempts = new FetchAttempt[settings.Requests];
        await AnsiConsole.Progress()
            .AutoClear(true)
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask($"{settings.Requests} requests to the fetcher", maxValue: settings.Requests);
                await Parallel.ForAsync(
                    0,
                    settings.Requests,
                    new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
                    async (index, token) =>
                    {
                        attempts[index] = await cluster.TryFetchAsync(token);
                        bar.Increment(1);
                    });
            });

        return new TrafficTally(attempts);
    }
}
