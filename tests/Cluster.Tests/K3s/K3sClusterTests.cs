using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MinikubeDemo.Contract;
using MinikubeDemo.TestSupport;
using MinikubeDemo.TestSupport.Docker;

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
    public async Task Scale_to_one_and_back_shows_the_endpoint_list_follow()
    {
        await RequireAsync();

        foreach (var (replicas, listed) in new[] { (1, "1 ready endpoint,"), (2, "2 ready endpoints,") })
        {
            var run = await cluster.RunToolAsync("scale", "--replicas", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), "--namespace", K3sDemoCluster.Namespace, "--timeout", "120");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"{DemoContract.Server.Service} lists {listed}", run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Verify_gets_the_chapters_exact_body_through_the_Services_ClusterIP()
    {
        await RequireAsync();

        // As on any new cluster, the first answers may fail while DNS and the NetworkPolicy come into force: Verify waits.
        var run = await cluster.RunToolAsync("verify", "--namespace", K3sDemoCluster.Namespace, "--requests", "40", "--timeout", "120");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"GET / on {DemoContract.Fetcher.Service}: {DemoContract.Fetcher.Body}", run.Output, StringComparison.Ordinal);
        // Figure 2: the name led to the Service's ClusterIP, and kube-proxy took it from there.
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(DemoContract.Server.Service, K3sDemoCluster.Namespace, cancellationToken: Cancellation);
        Assert.Contains($"the fetcher connected to {service.Spec.ClusterIP}:{DemoContract.Port} (the Service's ClusterIP", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkPolicy_blocks_a_pod_that_is_not_the_fetcher_from_the_server()
    {
        await RequireAsync();
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
        await RequireAsync();

        await ExpectAnswerAsync(host, expectedBody, IngressLimit);
    }

    [Fact]
    public async Task The_Gateway_API_routes_both_hosts_without_the_Ingress()
    {
        await RequireAsync();
        await Eventually.UntilAsync(
            () => ConditionAsync(() => cluster.Client.CustomObjects.GetClusterCustomObjectAsync(GatewayApi, "v1", "gatewayclasses", "traefik", Cancellation), "Accepted"),
            accepted => accepted == "True",
            IngressLimit,
            accepted => $"GatewayClass traefik is not accepted yet ({accepted}); Traefik's Gateway provider comes up with its Helm chart");

        // Without the Ingress first: once Traefik has dropped its routers the hosts answer 404, so a 200 afterwards
        // can only come from the Gateway's routes.
        await cluster.Client.NetworkingV1.DeleteNamespacedIngressAsync("minikube-demo-ingress", K3sDemoCluster.Namespace, cancellationToken: Cancellation);
        try
        {
            await ExpectAnswerAsync(DemoContract.Fetcher.IngressHost, null, SettleLimit);
            await cluster.KubectlAsync("apply", "-f", "k8s/gateway-api/", "--namespace", K3sDemoCluster.Namespace);
            foreach (var route in new[] { "minikube-demo-server-fetcher-route", "minikube-demo-server-route" })
            {
                foreach (var condition in new[] { "Accepted", "ResolvedRefs" })
                {
                    await Eventually.UntilAsync(
                        () => ConditionAsync(() => cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync(GatewayApi, "v1", K3sDemoCluster.Namespace, "httproutes", route, Cancellation), condition, parents: true),
                        status => status == "True",
                        SettleLimit,
                        status => $"HTTPRoute {route}: {condition} is {status}");
                }
            }

            await ExpectAnswerAsync(DemoContract.Fetcher.IngressHost, DemoContract.Fetcher.Body, SettleLimit);
            await ExpectAnswerAsync(DemoContract.Server.IngressHost, DemoContract.Server.Body, SettleLimit);
        }
        finally
        {
            await cluster.KubectlAsync("apply", "-f", "k8s/minikube-demo-ingress.yaml", "--namespace", K3sDemoCluster.Namespace);
        }
    }

    private const string GatewayApi = "gateway.networking.k8s.io";

    private static async Task RequireAsync()
    {
        await K3sAvailability.RequireAsync();
        await DemoImageBuild.RequireAsync();
    }

    /// <summary>The status of a condition of a Gateway API object (of its first parent, for a route), or why there is none yet.</summary>
    private static async Task<string> ConditionAsync(Func<Task<object>> read, string type, bool parents = false)
    {
        try
        {
            var found = (JsonElement)await read();
            if (!found.TryGetProperty("status", out var status))
            {
                return "no status yet";
            }

            if (parents)
            {
                status = status.TryGetProperty("parents", out var list) && list.GetArrayLength() > 0 ? list[0] : default;
            }

            return status.ValueKind == JsonValueKind.Object && status.TryGetProperty("conditions", out var conditions)
                ? conditions.EnumerateArray().Where(condition => condition.GetProperty("type").GetString() == type).Select(condition => condition.GetProperty("status").GetString()).FirstOrDefault() ?? $"no {type} condition"
                : "no conditions yet";
        }
        catch (HttpOperationException e)
        {
            // Until the CRDs and the class exist, the API answers 404.
            return $"{(int)e.Response.StatusCode} from the API server";
        }
    }

    /// <summary>
    /// Until Traefik's entry point answers the host with the body (it routes only once it has read the objects),
    /// or, with no body expected, answers 404: nothing routes the host.
    /// </summary>
    private async Task ExpectAnswerAsync(string host, string? expectedBody, TimeSpan limit)
    {
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
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !Cancellation.IsCancellationRequested)
                {
                    // Until Traefik listens nothing answers on port 80, and a slow first answer is the client's timeout.
                    return (Status: 0, Body: e.Message);
                }
            },
            seen => expectedBody is null ? seen.Status == 404 : seen.Status == 200 && seen.Body == expectedBody,
            limit,
            seen => $"{host} answered {seen.Status} {seen.Body}");
    }
}
