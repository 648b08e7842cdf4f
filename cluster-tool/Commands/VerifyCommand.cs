using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
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
    protected override async Task RunAsync(DemoCluster cluster, VerifySettings settings, CancellationToken cancellationToken)
    {
        await RolloutWaiter.WaitAsync(cluster, DemoContract.Apps.Select(app => app.Deployment).ToList(), settings.Timeout, cancellationToken);

        var endpoints = await EndpointFollower.FollowAsync(cluster, settings.Timeout, cancellationToken);
        EndpointFollower.PrintLikeKubectl(endpoints);

        var first = await cluster.FetchAsync(cancellationToken);
        if (FetcherReplyCheck.Problem(first.Status, first.Body) is { } problem)
        {
            throw new ClusterToolException(problem);
        }

        AnsiConsole.MarkupLineInterpolated($"GET / on {DemoContract.Fetcher.Service}: [green]{first.Body}[/] (server pod {first.UpstreamInstance ?? "unknown"})");

        var tally = await SendManyAsync(cluster, settings, cancellationToken);
        AnsiConsole.WriteLine();
        AnsiConsole.Write(new BarChart()
            .Width(Math.Min(AnsiConsole.Profile.Width, 120))
            .Label($"Server pod that answered, {EndpointCheck.Count(tally.Total, "request")} through the fetcher")
            .LeftAlignLabel()
            .AddItems(tally.Counts, pair => new BarChartItem(pair.Key, pair.Value, Color.Aqua)));

        var silent = tally.Silent(await cluster.ReadyPodsAsync(DemoContract.Server.Deployment, cancellationToken));
        if (silent.Count > 0)
        {
            // Not a failure: which pod answers is up to the fetcher's connection reuse and kube-proxy.
            AnsiConsole.MarkupLineInterpolated($"[yellow]No request reached {string.Join(", ", silent)}; with more requests or concurrency the spread evens out.[/]");
        }

        AnsiConsole.MarkupLine("[green]Verified.[/]");
    }

    private static async Task<InstanceTally> SendManyAsync(DemoCluster cluster, VerifySettings settings, CancellationToken cancellationToken)
    {
        var replies = new FetcherReply[settings.Requests];
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
                        replies[index] = await cluster.FetchAsync(token);
                        bar.Increment(1);
                    });
            });

        var problems = replies.Select(reply => FetcherReplyCheck.Problem(reply.Status, reply.Body)).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            throw new ClusterToolException(
                $"{EndpointCheck.Count(problems.Count, "request")} of {settings.Requests} failed. First: {problems[0]}");
        }

        var tally = new InstanceTally();
        foreach (var reply in replies)
        {
            tally.Add(reply.UpstreamInstance);
        }

        return tally;
    }
}
