using k8s.Models;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// The chapter's Figure 2 as this cluster has it: the name the fetcher calls, what cluster DNS makes of it, the
/// Service that name stands for, and the endpoints kube-proxy sends the connections to.
/// </summary>
internal sealed record ServicePath(string UpstreamUrl, string Namespace, V1Service Service, IReadOnlyList<EndpointEntry> Endpoints)
{
    /// <summary>The name as the fetcher writes it: minikube-demo-server-service.</summary>
    public string Name => new Uri(UpstreamUrl).Host;

    /// <summary>The name with the search domain a pod's resolver adds: &lt;service&gt;.&lt;namespace&gt;.svc.cluster.local.</summary>
    public string FullName => Name.Contains('.', StringComparison.Ordinal) ? Name : $"{Name}.{Namespace}.svc.cluster.local";

    public string? ClusterIp => Service.Spec?.ClusterIP is { Length: > 0 } ip && ip != "None" ? ip : null;

    /// <summary>The Service's port the fetcher calls, and the node port behind it where the Service has one.</summary>
    public V1ServicePort? Port => Service.Spec?.Ports?.FirstOrDefault(port => port.Port == new Uri(UpstreamUrl).Port) ?? Service.Spec?.Ports?.FirstOrDefault();

    /// <summary>What an address the fetcher connected to is: the Service's ClusterIP, one pod's own address, or neither.</summary>
    public string Describe(string address)
    {
        // Every family's ClusterIP of a dual-stack Service, formatted as the fetcher's socket prints its peer.
        var clusterIps = Service.Spec?.ClusterIPs is { Count: > 0 } all ? all : ClusterIp is { } one ? [one] : [];
        if (Port is { } port && clusterIps.Any(ip => ip != "None" && address == EndpointList.FormatEndpoint(ip, port.Port)))
        {
            return "the Service's ClusterIP: kube-proxy picks a pod per connection";
        }

        return Endpoints.FirstOrDefault(endpoint => endpoint.Endpoint == address) is { } direct
            ? $"pod {direct.Pod ?? "?"} itself (no ClusterIP in between: a headless Service)"
            : "not an address of this Service";
    }

    /// <summary>The server's URL as the fetcher's Deployment configures it (Upstream__BaseUrl), else the app's default.</summary>
    public static string UpstreamOf(V1Deployment? fetcher) =>
        fetcher?.Spec?.Template?.Spec?.Containers?.SelectMany(container => container.Env ?? []).FirstOrDefault(variable => variable.Name == "Upstream__BaseUrl")?.Value
        ?? DemoContract.Fetcher.UpstreamUrl;
}
