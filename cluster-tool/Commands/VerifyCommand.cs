using System.ComponentModel;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Steps;
using Spectre.Console.Cli;

namespace MinikubeDemo.ClusterTool.Commands;

/// <summary>`verify`: rollouts done, endpoints match the ready replicas, cluster DNS up, the fetcher's exact body, and Figure 2 drawn from the requests.</summary>
internal sealed class VerifyCommand : ClusterCommand<VerifyCommand.Settings>
{
    public sealed class Settings : ClusterSettings
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

    protected override async Task RunAsync(ToolHost host, ClusterConnection connection, DemoCluster cluster, Settings settings, CancellationToken cancellationToken)
    {
        await RolloutWait.RunAsync(host, cluster, [.. DemoContract.Apps.Select(app => app.Deployment)], settings.Timeout, cancellationToken);
        await EndpointWait.RunAsync(host, cluster, settings.Timeout, cancellationToken);
        await ClusterDnsWait.RunAsync(host, cluster, settings.Timeout, cancellationToken);
        await FetcherTraffic.FirstAnswerAsync(host, cluster, cancellationToken);

        var tally = await FetcherTraffic.SendAsync(host, cluster, settings.Requests, settings.Concurrency, cancellationToken);
        var fetcher = await cluster.ReadDeploymentAsync(DemoContract.Fetcher.Deployment, cancellationToken);
        var path = new ServicePath(
            ServicePath.UpstreamOf(fetcher),
            connection.Namespace,
            await cluster.ReadServiceAsync(DemoContract.Server.Service, cancellationToken),
            EndpointList.Entries(await cluster.ReadEndpointSlicesAsync(DemoContract.Server.Service, cancellationToken)));
        host.Console.WriteLine();
        host.Console.Write(ServicePathView.Render(path, tally));
        host.Console.WriteLine();
        if (tally.Failed > 0)
        {
            throw new ClusterToolException($"{tally.Failed} of {tally.Total} requests failed ({tally.Failures}), above.");
        }

        var ready = path.Endpoints.Where(endpoint => endpoint.Ready && endpoint.Pod is not null).Select(endpoint => endpoint.Pod!);
        if (tally.Silent(ready) is { Count: > 0 } silent)
        {
            // Not a failure: which pod answers is up to the fetcher's connection reuse and kube-proxy.
            host.Console.MarkupLineInterpolated($"[yellow]No request reached {string.Join(", ", silent)}; with more requests or concurrency the spread evens out.[/]");
        }

        host.Console.MarkupLine("[green]Verified.[/]");
    }
}
