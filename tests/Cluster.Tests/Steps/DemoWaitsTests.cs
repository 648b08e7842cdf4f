using System.Diagnostics;
using MinikubeDemo.Cluster.Tests.Tool;
using MinikubeDemo.ClusterTool;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Waiting;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Steps;

/// <summary>What Verify waits for on a cold cluster: DNS, a first answer that may fail a few times, a proxy that may hang.</summary>
public sealed class DemoWaitsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Waits_for_the_cluster_DNS_Deployment_to_be_available()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.DnsUnavailableReads = 2;
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);
        var seen = new List<ClusterDnsState>();

        var result = await DemoWaits.ClusterDnsAsync(new DemoCluster(session), Limit, (state, _) => seen.Add(state), Cancellation);

        Assert.Equal(WaitEnd.Done, result.End);
        Assert.Equal(["kube-system/coredns 0/1 available", "kube-system/coredns 0/1 available", "kube-system/coredns 1/1 available"], seen.Select(state => state.Summary));
        Assert.Contains(api.Requests, request => Uri.UnescapeDataString(request).StartsWith("GET /apis/apps/v1/namespaces/kube-system/deployments?", StringComparison.Ordinal) && Uri.UnescapeDataString(request).Contains("labelSelector=k8s-app=kube-dns", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cluster_without_a_DNS_Deployment_it_can_see_is_not_waited_for()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.DnsUnavailableReads = null;
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var result = await DemoWaits.ClusterDnsAsync(new DemoCluster(session), Limit, null, Cancellation);

        Assert.Equal(WaitEnd.Done, result.End);
        Assert.StartsWith("not waited for", result.Last.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_fetch_is_retried_until_the_chapters_answer_comes()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ProxyFailures = 2;
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var result = await DemoWaits.FirstAnswerAsync(new DemoCluster(session), Limit, null, Cancellation);

        Assert.Equal(WaitEnd.Done, result.End);
        Assert.Equal(DemoContract.Fetcher.Body, result.Last.Reply!.Body);
        Assert.Equal(3, api.Requests.Count(request => request.EndsWith("/proxy/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_first_fetch_gives_up_within_its_bound_with_the_last_reason()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ProxyFailures = int.MaxValue;
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var result = await DemoWaits.FirstAnswerAsync(new DemoCluster(session), TimeSpan.FromSeconds(2), null, Cancellation);

        Assert.Equal(WaitEnd.TimedOut, result.End);
        Assert.Contains("The fetcher could not get an answer", result.Last.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stuck_service_proxy_call_is_bounded()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.ProxyDelay = TimeSpan.FromMinutes(5);
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => new DemoCluster(session, TimeSpan.FromMilliseconds(500)).FetchAsync(Cancellation));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.StartsWith($"No answer from {DemoContract.Fetcher.Service} through the API server's proxy within 0.5 s", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Deployment_that_does_not_exist_ends_the_rollout_wait_at_once()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.MissingDeployments.Add(DemoContract.Fetcher.Deployment);
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var result = await DemoWaits.RolloutsAsync(new DemoCluster(session), [.. DemoContract.Apps.Select(app => app.Deployment)], Limit, null, Cancellation);

        Assert.Equal(WaitEnd.Failed, result.End);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(5), $"took {result.Elapsed}");
        Assert.Contains(result.Last.States, state => state is { Exists: false, Deployment: DemoContract.Fetcher.Deployment });
    }

    [Fact]
    public async Task A_crash_loop_ends_the_rollout_wait_at_once()
    {
        await using var api = await FakeKubernetesApi.StartAsync(crashLooping: true);
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var result = await DemoWaits.RolloutsAsync(new DemoCluster(session), [.. DemoContract.Apps.Select(app => app.Deployment)], Limit, null, Cancellation);

        Assert.Equal(WaitEnd.Failed, result.End);
        Assert.Contains(result.Last.Problems, problem => problem.Problem.IsHardFailure);
    }
}
