using System.Globalization;
using System.Net;
using k8s.Models;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>One answer through the API server's service proxy: status, the headers the demo reads, and body.</summary>
internal sealed record ProxiedAnswer(HttpStatusCode Status, string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A GET / through the API server's proxy to the fetcher's Service, and the fetcher's own call to the server through
/// kube-proxy: each picks one of its Service's ready endpoints, and kube-proxy falls back to serving terminating ones
/// when none is ready (pkg/proxy/topology.go, CategorizeEndpoints). What answers is what the pod's build does.
/// </summary>
internal static class ServiceProxy
{
    public static ProxiedAnswer Get(SimCluster cluster, string @namespace)
    {
        cluster.ProxiedRequests++;
        var fetcher = Pick(cluster, @namespace, DemoContract.Fetcher.Service, fallBackToTerminating: false);
        if (fetcher is null)
        {
            // The API server's proxy (pkg/registry/core/service/proxy.go via ResourceLocation) with no ready endpoint.
            return new ProxiedAnswer(HttpStatusCode.ServiceUnavailable,
                $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no endpoints available for service \"{{DemoContract.Fetcher.Service}}\"","reason":"ServiceUnavailable","code":503}""",
                new Dictionary<string, string>());
        }

        var server = Pick(cluster, @namespace, DemoContract.Server.Service, fallBackToTerminating: true);
        if (server is null)
        {
            return new ProxiedAnswer(HttpStatusCode.BadGateway,
                """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.3","title":"The upstream server could not be reached","status":502}""",
                new Dictionary<string, string> { [DemoContract.Headers.Instance] = fetcher.Metadata.Name });
        }

        var service = cluster.Store.Get<V1Service>("services", @namespace, DemoContract.Server.Service)!;
        var greeting = cluster.Runtimes[server.Metadata.Uid].Image!.Build.Greeting;
        return new ProxiedAnswer(HttpStatusCode.OK, $$"""{"message":"{{DemoContract.Fetcher.Prefix}}{{greeting}}"}""", new Dictionary<string, string>
        {
            [DemoContract.Headers.Instance] = fetcher.Metadata.Name,
            [DemoContract.Headers.UpstreamInstance] = server.Metadata.Name,
            [DemoContract.Headers.UpstreamAddress] = string.Create(CultureInfo.InvariantCulture, $"{service.Spec.ClusterIP}:{DemoContract.Port}"),
        });
    }

    /// <summary>The next of the Service's endpoints whose pod is running and answering, in turn.</summary>
    private static V1Pod? Pick(SimCluster cluster, string @namespace, string service, bool fallBackToTerminating)
    {
        var endpoints = cluster.Store.List<V1EndpointSlice>("endpointslices", @namespace)
            .Where(slice => slice.Metadata.Labels[EndpointSliceController.ServiceNameLabel] == service)
            .SelectMany(slice => slice.Endpoints ?? [])
            .ToList();
        var usable = endpoints.Where(endpoint => endpoint.Conditions.Ready == true).ToList();
        if (usable.Count == 0 && fallBackToTerminating)
        {
            usable = [.. endpoints.Where(endpoint => endpoint.Conditions is { Serving: true, Terminating: true })];
        }

        var pods = usable.Select(endpoint => cluster.Store.Get<V1Pod>("pods", @namespace, endpoint.TargetRef.Name))
            .Where(pod => pod is not null && cluster.Runtimes.TryGetValue(pod.Metadata.Uid, out var runtime) && runtime.Running)
            .ToList();
        return pods.Count == 0 ? null : pods[cluster.ProxiedRequests % pods.Count];
    }
}
