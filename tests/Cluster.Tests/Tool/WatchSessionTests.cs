using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Commands;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;
using Spectre.Console.Testing;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>`watch` against the fake API server: the endpoint list follows a scale as it happens, and a dropped watch is survived.</summary>
public sealed class WatchSessionTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_endpoint_added_and_removed_while_watching_appears_and_disappears_and_the_summary_counts_the_requests()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);
        using var console = new TestConsole().Width(400);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);

        var watching = new WatchSession(console, new DemoCluster(session), new WatchSettings { Rate = 20 }).RunAsync(stop.Token);
        await WatchersAsync(api);
        await SeenAsync(console, Endpoints(0, 1));

        api.SetServerReplicas(3);
        await SeenAsync(console, Endpoints(0, 1, 2));
        await SeenAsync(console, $"pod {FakeKubernetesApi.PodName(2)}: Ready on node minikube");

        // An API server restart or a lost connection ends every watch: the tool lists again and keeps following.
        var lists = api.Lists;
        api.DropWatches();
        await Eventually.UntilAsync(() => Task.FromResult((api.Lists, api.OpenWatches)), seen => seen.Lists >= lists + 3 && seen.OpenWatches == 3, Limit,
            seen => $"{seen.Lists - lists} lists and {seen.OpenWatches} watches after the drop");

        api.SetServerReplicas(1);
        await SeenAsync(console, Endpoints(0));
        await SeenAsync(console, $"pod {FakeKubernetesApi.PodName(1)}: gone");
        await SeenAsync(console, "last 10 s:");
        await stop.CancelAsync();
        await watching;

        var lines = console.Lines.Select(line => line.TrimEnd()).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, lines));
        var endpointLines = lines.Where(line => line.Contains($"endpoints {DemoContract.Server.Service}", StringComparison.Ordinal)).Select(line => line[line.IndexOf("endpoints", StringComparison.Ordinal)..]).ToList();
        Assert.Equal([Endpoints(0, 1), Endpoints(0, 1, 2), Endpoints(0)], endpointLines);
        Assert.Contains(lines, line => line.Contains($"{api.ProxiedRequests} requests, {api.ProxiedRequests} answered, 0 failed", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.EndsWith("endpoint list changes seen: 2 (a watch was started again 3 times)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_a_terminal_the_view_is_drawn_in_place_with_the_endpoints_pods_and_shares()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);
        using var console = new TestConsole().Width(200).Interactive().EmitAnsiSequences();

        await new WatchSession(console, new DemoCluster(session), new WatchSettings { Rate = 20, DurationSeconds = 3 }).RunAsync(Cancellation);

        Assert.Contains(FakeKubernetesApi.PodName(1), console.Output, StringComparison.Ordinal);
        Assert.Contains($"{FakeKubernetesApi.PodAddress(0)}:8000,{FakeKubernetesApi.PodAddress(1)}:8000", console.Output, StringComparison.Ordinal);
        Assert.Contains("last 10 s:", console.Output, StringComparison.Ordinal);
        Assert.Contains($"{api.ProxiedRequests} requests, {api.ProxiedRequests} answered", console.Output, StringComparison.Ordinal);
    }

    private static string Endpoints(params int[] pods) =>
        $"endpoints {DemoContract.Server.Service}   {string.Join(',', pods.Select(pod => $"{FakeKubernetesApi.PodAddress(pod)}:8000"))}";

    private static Task<int> WatchersAsync(FakeKubernetesApi api) =>
        Eventually.UntilAsync(() => Task.FromResult(api.OpenWatches), open => open == 3, Limit, open => $"{open} of 3 watches open");

    private static Task<string> SeenAsync(TestConsole console, string text) =>
        Eventually.UntilAsync(() => Task.FromResult(console.Output), output => output.Contains(text, StringComparison.Ordinal), Limit,
            output => $"not shown: {text}{Environment.NewLine}{output}", pollInterval: TimeSpan.FromMilliseconds(50));
}
