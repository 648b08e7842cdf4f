using System.Net;
using k8s;
using k8s.Models;
using MinikubeDemo.ClusterTool;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;

namespace MinikubeDemo.Cluster.Tests.K3s;

/// <summary>The chapter on a real cluster: k8s/ unchanged on k3s, with its kube-router NetworkPolicy and Traefik Ingress.</summary>
public sealed class K3sClusterTests(K3sDemoCluster cluster) : IClassFixture<K3sDemoCluster>
{
    private static readonly TimeSpan SettleLimit = TimeSpan.FromMinutes(2);

    /// <summary>Traefik is installed by k3s's Helm controller after the node is up, which takes a while.</summary>
    private static readonly TimeSpan IngressLimit = TimeSpan.FromMinutes(4);

    private static readonly TimeSpan ProbePodLimit = TimeSpan.FromMinutes(3);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_Service_lists_one_ready_endpoint_per_replica_and_follows_a_scale_to_one()
    {
        await K3sAvailability.RequireAsync();

        await ExpectEndpointsAsync(2);
        await cluster.Demo.ScaleAsync(DemoContract.Server.Deployment, 1, Cancellation);
        await ExpectEndpointsAsync(1);
        await cluster.Demo.ScaleAsync(DemoContract.Server.Deployment, 2, Cancellation);
        await ExpectEndpointsAsync(2);
    }

    [Fact]
    public async Task Fetcher_answers_the_chapters_exact_body_through_its_Service()
    {
        await K3sAvailability.RequireAsync();

        var reply = await cluster.Demo.FetchAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(DemoContract.Fetcher.Body, reply.Body);
        Assert.StartsWith($"{DemoContract.Server.Deployment}-", reply.UpstreamInstance, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkPolicy_blocks_a_pod_that_is_not_the_fetcher_from_the_server()
    {
        await K3sAvailability.RequireAsync();
        const string ProbePod = "network-policy-probe";
        // The same pod reaches the fetcher (so DNS and the network work) but not the server.
        const string Script =
            "echo \"fetcher-body=$(wget -q -T 5 -O - http://minikube-demo-server-fetcher-service:8000/)\"; " +
            "if wget -q -T 5 -O - http://minikube-demo-server-service:8000/ >/dev/null 2>&1; then echo server=reached; else echo server=blocked; fi";
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = ProbePod, Labels = new Dictionary<string, string> { ["app"] = ProbePod } },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                AutomountServiceAccountToken = false,
                Containers = [new V1Container { Name = "probe", Image = "busybox:1.37", Command = ["sh", "-c", Script] }],
            },
        };
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, K3sDemoCluster.Namespace, cancellationToken: Cancellation);

        await Eventually.UntilAsync(
            () => cluster.Client.CoreV1.ReadNamespacedPodAsync(ProbePod, K3sDemoCluster.Namespace, cancellationToken: Cancellation),
            seen => seen.Status?.Phase is "Succeeded" or "Failed",
            ProbePodLimit,
            seen => $"probe pod is {seen.Status?.Phase}: {string.Join("; ", seen.Status?.ContainerStatuses?.Select(status => status.State?.Waiting?.Reason) ?? [])}");
        using var logStream = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(ProbePod, K3sDemoCluster.Namespace, cancellationToken: Cancellation);
        using var reader = new StreamReader(logStream);
        var log = await reader.ReadToEndAsync(Cancellation);

        Assert.Contains($"fetcher-body={DemoContract.Fetcher.Body}", log, StringComparison.Ordinal);
        Assert.Contains("server=blocked", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DemoContract.Fetcher.IngressHost, DemoContract.Fetcher.Body)]
    [InlineData(DemoContract.Server.IngressHost, DemoContract.Server.Body)]
    public async Task Ingress_routes_each_host_to_its_Service_through_Traefik(string host, string expectedBody)
    {
        await K3sAvailability.RequireAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await Eventually.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, cluster.IngressAddress);
                request.Headers.Host = host;
                try
                {
                    using var response = await http.SendAsync(request, Cancellation);
                    return (Status: (int)response.StatusCode, Body: await response.Content.ReadAsStringAsync(Cancellation));
                }
                catch (HttpRequestException e)
                {
                    // Until Traefik is installed nothing listens on port 80.
                    return (Status: 0, Body: e.Message);
                }
            },
            seen => seen.Status == 200 && seen.Body == expectedBody,
            IngressLimit,
            seen => $"{host} answered {seen.Status} {seen.Body}");
    }

    private async Task ExpectEndpointsAsync(int replicas)
    {
        var seen = await Eventually.UntilAsync(
            async () =>
            {
                var rollout = await cluster.Demo.ReadRolloutAsync(DemoContract.Server.Deployment, Cancellation);
                var endpoints = await cluster.Demo.ReadyEndpointsAsync(DemoContract.Server.Service, Cancellation);
                return (Rollout: rollout, Endpoints: endpoints);
            },
            state => state.Rollout.Complete && state.Rollout.Desired == replicas && state.Endpoints.Count == replicas,
            SettleLimit,
            state => $"{state.Rollout.Deployment} {state.Rollout.Summary}; endpoints {EndpointCheck.FormatLikeKubectl(state.Endpoints)}");

        Assert.True(EndpointCheck.Compare(DemoContract.Server.Service, seen.Endpoints, DemoContract.Server.Deployment, seen.Rollout.Ready).Matches);
    }
}
