using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>The reads and writes the steps make against the demo's objects, in the connection's namespace.</summary>
internal sealed class DemoCluster(ClusterConnection connection)
{
    /// <summary>The pod-template annotation `kubectl rollout restart` sets.</summary>
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    /// <summary>The Deployment controller numbers each ReplicaSet of a Deployment with this annotation, the newest highest.</summary>
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>The label the Deployment controller puts on a ReplicaSet and its pods: the hash of their template.</summary>
    public const string TemplateHashLabel = "pod-template-hash";

    /// <summary>
    /// How long one request through the API server's service proxy may take. KubernetesClient's HttpClient has no
    /// timeout of its own for requests sent on it directly (the 100 s applies to its generated operations).
    /// </summary>
    public TimeSpan ProxyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A watch ends after this long, and is started again from a fresh list.</summary>
    private const int WatchSeconds = 60;

    private const string ServerPodSelector = DemoContract.AppLabel + "=" + DemoContract.Server.Name;

    private Kubernetes Client => connection.Client;

    public string Namespace => connection.Namespace;

    /// <summary>The Deployment, or null when there is none.</summary>
    public Task<V1Deployment?> ReadDeploymentAsync(string deployment, CancellationToken cancellationToken) =>
        OrNullWhenMissing(() => Client.AppsV1.ReadNamespacedDeploymentAsync(deployment, Namespace, cancellationToken: cancellationToken));

    public async Task<IList<V1Node>> ReadNodesAsync(CancellationToken cancellationToken) =>
        (await Client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken)).Items;

    /// <summary>
    /// What `kubectl rollout restart` does: a new annotation on the pod template, so the Deployment rolls its pods
    /// onto whatever the image tag names now (the tag stays 1.0 across builds). kubectl writes whole seconds; this
    /// writes milliseconds, so that two deploys within a second still roll twice.
    /// </summary>
    public async Task RestartAsync(string deployment, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var annotation = new Dictionary<string, string> { [RestartedAtAnnotation] = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) };
        var patch = new V1Deployment { Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Annotations = annotation } } } };
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), deployment, Namespace, cancellationToken: cancellationToken);
    }

    public async Task ScaleAsync(string deployment, int replicas, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(new V1Scale { Spec = new V1ScaleSpec { Replicas = replicas } }, V1Patch.PatchType.MergePatch);
        if (await OrNullWhenMissing(() => Client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, deployment, Namespace, cancellationToken: cancellationToken)) is null)
        {
            throw new ClusterToolException($"{deployment} does not exist in namespace {Namespace}: deploy first with dotnet cake --target=Deploy.");
        }
    }

    /// <summary>The cluster DNS Deployments (CoreDNS: <c>k8s-app=kube-dns</c> in kube-system), or null when this client may not read them.</summary>
    public async Task<IList<V1Deployment>?> ReadClusterDnsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await Client.AppsV1.ListNamespacedDeploymentAsync("kube-system", labelSelector: "k8s-app=kube-dns", cancellationToken: cancellationToken)).Items;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            return null;
        }
    }

    public async Task<IList<V1EndpointSlice>> ReadEndpointSlicesAsync(string service, CancellationToken cancellationToken) =>
        (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Namespace, labelSelector: ServiceSliceSelector(service), cancellationToken: cancellationToken)).Items;

    public Task<V1Service> ReadServiceAsync(string service, CancellationToken cancellationToken) =>
        Client.CoreV1.ReadNamespacedServiceAsync(service, Namespace, cancellationToken: cancellationToken);

    /// <summary>
    /// The pods of the Deployment's newest ReplicaSet (its highest revision), the ones a rollout waits for: an old
    /// ReplicaSet's pods are kept until the new ones are available, whatever state they are in.
    /// </summary>
    public async Task<IList<V1Pod>> ReadNewestPodsAsync(V1Deployment deployment, CancellationToken cancellationToken)
    {
        // Told by owner, not by the Deployment's selector, which may be written with matchExpressions.
        static bool OwnedBy(V1ObjectMeta meta, string uid) => meta.OwnerReferences?.Any(owner => owner.Uid == uid) == true;
        var sets = await Client.AppsV1.ListNamespacedReplicaSetAsync(Namespace, cancellationToken: cancellationToken);
        var newest = sets.Items
            .Where(set => OwnedBy(set.Metadata, deployment.Metadata.Uid))
            .MaxBy(set => set.Metadata.Annotations is { } annotations && int.TryParse(annotations.TryGetValue(RevisionAnnotation, out var value) ? value : null, out var revision) ? revision : 0);
        if (newest?.Metadata.Labels is not { } labels || !labels.TryGetValue(TemplateHashLabel, out var hash))
        {
            return [];
        }

        var pods = await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: $"{TemplateHashLabel}={hash}", cancellationToken: cancellationToken);
        return [.. pods.Items.Where(pod => OwnedBy(pod.Metadata, newest.Metadata.Uid))];
    }

    /// <summary>The last lines of the previous (crashed) run of a container: the current one has usually not written anything yet.</summary>
    public async Task<IReadOnlyList<string>> ReadPreviousLogAsync(string pod, string container, int lines, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, Namespace, container: container, previous: true, tailLines: lines, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return (await reader.ReadToEndAsync(cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (HttpOperationException e)
        {
            return [$"(no log: {e.Response.StatusCode})"];
        }
    }

    /// <summary>
    /// GET / on the fetcher's Service through the API server's service proxy: works on any cluster the kubeconfig
    /// reaches, with no `minikube tunnel` or port-forward. The proxy passes status and headers through.
    /// </summary>
    public async Task<FetcherReply> FetchAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(Client.BaseUri, $"api/v1/namespaces/{Namespace}/services/{DemoContract.Fetcher.Service}/proxy/");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ProxyTimeout);
        try
        {
            // The credentials are inside the bound too: an exec plugin that fetches a token can hang as well.
            if (Client.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, bounded.Token);
            }

            using var response = await Client.HttpClient.SendAsync(request, bounded.Token);
            var body = await response.Content.ReadAsStringAsync(bounded.Token);
            string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
            return new FetcherReply(response.StatusCode, body, Header(DemoContract.Headers.UpstreamInstance), Header(DemoContract.Headers.UpstreamAddress));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClusterToolException($"No answer from {DemoContract.Fetcher.Service} through the API server's proxy within {ProxyTimeout.TotalSeconds:0.#} s: check the fetcher's pod (kubectl logs deploy/{DemoContract.Fetcher.Deployment}).", e);
        }
    }

    /// <summary>The server Deployment, listed so that it can be watched from the list's version.</summary>
    public async Task<(IList<V1Deployment> Items, string? Version)> ListServerDeploymentAsync(CancellationToken cancellationToken)
    {
        var list = await Client.AppsV1.ListNamespacedDeploymentAsync(Namespace, fieldSelector: ServerDeploymentField, cancellationToken: cancellationToken);
        return (list.Items, list.Metadata?.ResourceVersion);
    }

    public IAsyncEnumerable<(WatchEventType, V1Deployment)> WatchServerDeployment(string? version, CancellationToken cancellationToken) =>
        Client.AppsV1.WatchListNamespacedDeploymentAsync(Namespace, fieldSelector: ServerDeploymentField, resourceVersion: version,
            allowWatchBookmarks: true, timeoutSeconds: WatchSeconds, cancellationToken: cancellationToken);

    public async Task<(IList<V1EndpointSlice> Items, string? Version)> ListServerSlicesAsync(CancellationToken cancellationToken)
    {
        var list = await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Namespace, labelSelector: ServiceSliceSelector(DemoContract.Server.Service), cancellationToken: cancellationToken);
        return (list.Items, list.Metadata?.ResourceVersion);
    }

    public IAsyncEnumerable<(WatchEventType, V1EndpointSlice)> WatchServerSlices(string? version, CancellationToken cancellationToken) =>
        Client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(Namespace, labelSelector: ServiceSliceSelector(DemoContract.Server.Service), resourceVersion: version,
            allowWatchBookmarks: true, timeoutSeconds: WatchSeconds, cancellationToken: cancellationToken);

    public async Task<(IList<V1Pod> Items, string? Version)> ListServerPodsAsync(CancellationToken cancellationToken)
    {
        var list = await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: ServerPodSelector, cancellationToken: cancellationToken);
        return (list.Items, list.Metadata?.ResourceVersion);
    }

    public IAsyncEnumerable<(WatchEventType, V1Pod)> WatchServerPods(string? version, CancellationToken cancellationToken) =>
        Client.CoreV1.WatchListNamespacedPodAsync(Namespace, labelSelector: ServerPodSelector, resourceVersion: version,
            allowWatchBookmarks: true, timeoutSeconds: WatchSeconds, cancellationToken: cancellationToken);

    private const string ServerDeploymentField = "metadata.name=" + DemoContract.Server.Deployment;

    /// <summary>The label the EndpointSlice controller puts on a Service's slices.</summary>
    private static string ServiceSliceSelector(string service) => $"kubernetes.io/service-name={service}";

    private static async Task<T?> OrNullWhenMissing<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
