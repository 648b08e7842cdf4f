using System.Net;
using MinikubeDemo.ClusterTool;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>The cluster tool's API calls, against a fake API server on loopback.</summary>
public sealed class DemoClusterTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_rollouts_and_the_server_Services_ready_endpoints()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);
        var cluster = new DemoCluster(session);

        var rollout = await cluster.ReadRolloutAsync(DemoContract.Server.Deployment, Cancellation);
        var endpoints = await cluster.ReadyEndpointsAsync(DemoContract.Server.Service, Cancellation);

        Assert.True(rollout.Complete);
        Assert.Equal(["198.18.0.12:8000", "198.18.0.13:8000"], endpoints);
        var listing = Assert.Single(api.Requests, request => request.StartsWith("GET /apis/discovery.k8s.io/v1/namespaces/default/endpointslices?", StringComparison.Ordinal));
        Assert.Contains("labelSelector=kubernetes.io/service-name=minikube-demo-server-service", Uri.UnescapeDataString(listing), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_deployment_reads_as_not_found()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var rollout = await new DemoCluster(session).ReadRolloutAsync("no-such-deployment", Cancellation);

        Assert.False(rollout.Exists);
        Assert.Equal("not found", rollout.Summary);
    }

    [Fact]
    public async Task Fetches_through_the_API_servers_proxy_to_the_fetcher_Service_and_reads_the_upstream_pod()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var reply = await new DemoCluster(session).FetchAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(DemoContract.Fetcher.Body, reply.Body);
        Assert.StartsWith(DemoContract.Server.Deployment, reply.UpstreamInstance, StringComparison.Ordinal);
        Assert.Contains("GET /api/v1/namespaces/default/services/minikube-demo-server-fetcher-service/proxy/", api.Requests);
    }

    [Fact]
    public async Task Scales_with_a_merge_patch_of_the_scale_subresource()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        await new DemoCluster(session).ScaleAsync(DemoContract.Server.Deployment, 1, Cancellation);

        Assert.Equal("""{"spec":{"replicas":1}}""", api.ScalePatch);
        Assert.StartsWith("application/merge-patch+json", api.ScalePatchContentType, StringComparison.Ordinal);
        Assert.Equal(1, api.ServerReplicas);
    }

    [Fact]
    public async Task Diagnoses_a_crash_loop_with_the_crashed_runs_last_log_lines()
    {
        await using var api = await FakeKubernetesApi.StartAsync(crashLooping: true);
        using var session = await ClusterSession.ConnectAsync(api.ClientConfiguration, null, Cancellation);

        var (problem, message) = Assert.Single(await new DemoCluster(session).DiagnoseAsync(DemoContract.Server.Deployment, Cancellation));

        Assert.Equal(PodProblemKind.CrashLooping, problem.Kind);
        Assert.Contains("  | Unhandled exception. System.InvalidOperationException: Upstream:BaseUrl is not a URL", message, StringComparison.Ordinal);
        Assert.Contains(
            $"GET /api/v1/namespaces/default/pods/{FakeKubernetesApi.PodName(1)}/log?container=minikube-demo-server&previous=true&tailLines=15",
            api.Requests);
    }

    [Fact]
    public async Task No_cluster_at_the_address_says_how_to_start_one()
    {
        var closedPort = ServiceProcess.FreePort();
        var config = new k8s.KubernetesClientConfiguration { Host = $"http://127.0.0.1:{closedPort}" };
        var failure = await Assert.ThrowsAsync<ClusterToolException>(() => ClusterSession.ConnectAsync(config, null, Cancellation));

        Assert.StartsWith($"No Kubernetes cluster answers at http://127.0.0.1:{closedPort}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("minikube start", failure.Message, StringComparison.Ordinal);
    }
}
