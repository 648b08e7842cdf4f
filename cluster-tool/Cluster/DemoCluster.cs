using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MinikubeDemo.ClusterTool.Verification;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ClusterTool.Cluster;

/// <summary>One reply from the fetcher, read through the API server's proxy to its Service.</summary>
internal sealed record FetcherReply(HttpStatusCode Status, string Body, string? UpstreamInstance, string? UpstreamAddress = null);

/// <summary>The cluster's DNS Deployment (CoreDNS, labelled <c>k8s-app=kube-dns</c> in kube-system) as far as it can be seen.</summary>
internal sealed record ClusterDnsState(string? Deployment, int Desired, int Available, string? Unseen)
{
    /// <summary>Ready to answer, or nothing to wait for: no such Deployment, or not allowed to read kube-system.</summary>
    public bool Ready => Deployment is null || Available >= Math.Max(Desired, 1);

    public string Summary => Deployment is null
        ? $"not waited for ({Unseen})"
        : string.Create(CultureInfo.InvariantCulture, $"kube-system/{Deployment} {Available}/{Desired} available");
}

/// <summary>The reads and writes the commands make against the demo's objects.</summary>
internal sealed class DemoCluster(ClusterSession session, TimeSpan? proxyTimeout = null)
{
    private const int LogLinesShown = 15;

    /// <summary>
    /// How long one request through the API server's service proxy may take. KubernetesClient's HttpClient has
    /// no timeout of its own for requests sent on it directly (the 100 s applies to its generated operations).
    /// </summary>
    public static readonly TimeSpan DefaultProxyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The pod-template annotation `kubectl rollout restart` sets.</summary>
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    private readonly TimeSpan _proxyTimeout = proxyTimeout ?? DefaultProxyTimeout;

    private Kubernetes Client => session.Client;

    private string Namespace => session.Namespace;

    public async Task<RolloutState> ReadRolloutAsync(string deployment, CancellationToken cancellationToken)
    {
        try
        {
            return RolloutCheck.Evaluate(await Client.AppsV1.ReadNamespacedDeploymentAsync(deployment, Namespace, cancellationToken: cancellationToken));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return RolloutCheck.Missing(deployment);
        }
    }

    public async Task<bool> DeploymentExistsAsync(string deployment, CancellationToken cancellationToken) =>
        (await ReadRolloutAsync(deployment, cancellationToken)).Exists;

    public async Task<IList<V1Node>> ReadNodesAsync(CancellationToken cancellationToken) =>
        (await Client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken)).Items;

    /// <summary>
    /// What `kubectl rollout restart` does: a new annotation on the pod template, so the Deployment rolls its pods
    /// onto whatever the image tag names now (the tag stays 1.0 across builds).
    /// </summary>
    public async Task RestartAsync(string deployment, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var annotation = new Dictionary<string, string> { [RestartedAtAnnotation] = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) };
        var patch = new V1Deployment { Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Annotations = annotation } } } };
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), deployment, Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>The cluster DNS Deployment's availability: the fetcher finds the server through it.</summary>
    public async Task<ClusterDnsState> ReadClusterDnsAsync(CancellationToken cancellationToken)
    {
        V1DeploymentList found;
        try
        {
            found = await Client.AppsV1.ListNamespacedDeploymentAsync("kube-system", labelSelector: "k8s-app=kube-dns", cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            return new ClusterDnsState(null, 0, 0, "not allowed to read kube-system");
        }

        if (found.Items.FirstOrDefault() is not { } dns)
        {
            return new ClusterDnsState(null, 0, 0, "no k8s-app=kube-dns Deployment in kube-system");
        }

        return new ClusterDnsState(dns.Metadata.Name, dns.Spec?.Replicas ?? 1, dns.Status?.AvailableReplicas ?? 0, null);
    }

    public async Task<IReadOnlyList<string>> ReadyEndpointsAsync(string service, CancellationToken cancellationToken)
    {
        var slices = await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(
            Namespace, labelSelector: ServiceSliceSelector(service), cancellationToken: cancellationToken);
        return EndpointCheck.ReadyEndpoints(slices.Items);
    }

    /// <summary>Names of the Deployment's pods that are ready and not shutting down.</summary>
    public async Task<IReadOnlyList<string>> ReadyPodsAsync(string deployment, CancellationToken cancellationToken)
    {
        var pods = await PodsAsync(deployment, cancellationToken);
        return pods
            .Where(pod => pod.Metadata?.DeletionTimestamp is null)
            .Where(pod => pod.Status?.Conditions?.Any(condition => condition is { Type: "Ready", Status: "True" }) == true)
            .Select(pod => pod.Metadata!.Name)
            .ToList();
    }

    /// <summary>Problems of the Deployment's pods, each already described with what to do (crash loops with their last log lines).</summary>
    public async Task<IReadOnlyList<DiagnosedProblem>> DiagnoseAsync(string deployment, CancellationToken cancellationToken)
    {
        var problems = PodDiagnosis.Diagnose(await PodsAsync(deployment, cancellationToken));
        var described = new List<DiagnosedProblem>();
        foreach (var problem in problems)
        {
            var logs = problem.WantsLogs ? await LastLogLinesAsync(problem, cancellationToken) : [];
            described.Add(new DiagnosedProblem(problem, PodDiagnosis.Describe(problem, logs)));
        }

        return described;
    }

    public async Task ScaleAsync(string deployment, int replicas, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(new V1Scale { Spec = new V1ScaleSpec { Replicas = replicas } }, V1Patch.PatchType.MergePatch);
        try
        {
            await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, deployment, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ClusterToolException($"{deployment} does not exist in namespace {Namespace}: deploy first with dotnet cake --target=Deploy.", e);
        }
    }

    /// <summary>
    /// GET / on the fetcher's Service through the API server's service proxy: works on any cluster the
    /// kubeconfig reaches, with no `minikube tunnel` or port-forward. The proxy passes status and headers through.
    /// </summary>
    public async Task<FetcherReply> FetchAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(Client.BaseUri, $"api/v1/namespaces/{Namespace}/services/{DemoContract.Fetcher.Service}/proxy/");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_proxyTimeout);
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
            throw new ClusterToolException(string.Create(CultureInfo.InvariantCulture,
                $"No answer from {DemoContract.Fetcher.Service} through the API server's proxy within {_proxyTimeout.TotalSeconds:0.#} s: check the fetcher's pod (kubectl logs deploy/{DemoContract.Fetcher.Deployment})."), e);
        }
    }

    /// <summary>One try through the service proxy, with a proxy that did not answer in time as a failed try.</summary>
    public async Task<FetchAttempt> TryFetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new FetchAttempt(await FetchAsync(cancellationToken), null);
        }
        catch (ClusterToolException e)
        {
            return new FetchAttempt(null, e.Message);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection to the API server itself broke (a reset, an HTTP/2 GOAWAY): this try got no answer.
            return new FetchAttempt(null, $"The API server's proxy dropped the request ({(e.InnerException ?? e).Message.TrimEnd('.')})");
        }
    }

    public Task<V1Service> ReadServiceAsync(string service, CancellationToken cancellationToken) =>
        Client.CoreV1.ReadNamespacedServiceAsync(service, Namespace, cancellationToken: cancellationToken);

    /// <summary>Every endpoint the Service's EndpointSlices list, ready or not, with its pod and node.</summary>
    public async Task<IReadOnlyList<EndpointEntry>> ReadEndpointEntriesAsync(string service, CancellationToken cancellationToken)
    {
        var slices = await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(
            Namespace, labelSelector: ServiceSliceSelector(service), cancellationToken: cancellationToken);
        return EndpointCheck.Entries(slices.Items);
    }

    /// <summary>The server's URL as the fetcher's Deployment configures it (Upstream__BaseUrl), else the app's default.</summary>
    public async Task<string> ReadFetcherUpstreamAsync(CancellationToken cancellationToken)
    {
        var fetcher = await Client.AppsV1.ReadNamespacedDeploymentAsync(DemoContract.Fetcher.Deployment, Namespace, cancellationToken: cancellationToken);
        return fetcher.Spec.Template.Spec.Containers.SelectMany(container => container.Env ?? [])
            .FirstOrDefault(variable => variable.Name == "Upstream__BaseUrl")?.Value ?? DemoContract.Fetcher.UpstreamUrl;
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

    /// <summary>A watch ends after this long, and is started again from a fresh list.</summary>
    private const int WatchSeconds = 60;

    private const string ServerDeploymentField = "metadata.name=" + DemoContract.Server.Deployment;

    private const string ServerPodSelector = DemoContract.AppLabel + "=" + DemoContract.Server.Name;

    /// <summary>The label the EndpointSlice controller puts on a Service's slices.</summary>
    public static string ServiceSliceSelector(string service) => $"kubernetes.io/service-name={service}";

    private async Task<IList<V1Pod>> PodsAsync(string deployment, CancellationToken cancellationToken)
    {
        V1Deployment found;
        try
        {
            found = await Client.AppsV1.ReadNamespacedDeploymentAsync(deployment, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        var labels = found.Spec.Selector.MatchLabels ?? new Dictionary<string, string>();
        var selector = string.Join(',', labels.Select(label => $"{label.Key}={label.Value}"));
        var pods = await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: selector, cancellationToken: cancellationToken);
        return pods.Items;
    }

    private async Task<IReadOnlyList<string>> LastLogLinesAsync(PodProblem problem, CancellationToken cancellationToken)
    {
        try
        {
            // The crashed run's log: the current container has usually not written anything yet.
            using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(
                problem.Pod, Namespace, container: problem.Container, previous: true, tailLines: LogLinesShown, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(cancellationToken);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (HttpOperationException e)
        {
            return [$"(no log: {e.Response.StatusCode})"];
        }
    }
}
