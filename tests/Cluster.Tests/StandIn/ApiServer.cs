using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// The cluster's API server on loopback, for the reads, patches, watches, logs and service proxy the tool sends:
/// the paths and the list, watch and Status shapes of the Kubernetes API, over <see cref="SimCluster"/>'s objects.
/// </summary>
internal sealed partial class ApiServer : IAsyncDisposable
{
    private readonly SimCluster _cluster;
    private readonly WebApplication _app;
    private readonly List<string> _requests = [];

    private ApiServer(SimCluster cluster)
    {
        _cluster = cluster;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(RespondAsync);
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Method, path and query of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Answer a credentials check with 401, as a cluster whose kubeconfig token expired does.</summary>
    public bool RefusesCredentials { get; set; }

    /// <summary>
    /// Every watch ends at once with an ERROR event, 410 Expired, as the API server sends when the version asked for
    /// is older than its watch cache holds (apiserver storage/cacher/watch_cache.go, errors.NewResourceExpired).
    /// </summary>
    public bool ExpiresWatches { get; set; }

    /// <summary>The waiting reason of every container in the pod lists served so far (under the cluster's gate): what the tool has seen.</summary>
    public HashSet<string> WaitingReasonsServed { get; } = [];

    public static async Task<ApiServer> StartAsync(SimCluster cluster)
    {
        var server = new ApiServer(cluster);
        await server._app.StartAsync();
        server.Address = new Uri(server._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return server;
    }

    /// <summary>A kubeconfig whose current context reaches this server, in <paramref name="namespace"/>.</summary>
    public string Kubeconfig(string @namespace = "default") => $"""
        apiVersion: v1
        kind: Config
        clusters:
          - name: stand-in
            cluster:
              server: {Address.ToString().TrimEnd('/')}
        contexts:
          - name: {_cluster.Context}
            context:
              cluster: stand-in
              user: student
              namespace: {@namespace}
        current-context: {_cluster.Context}
        users:
          - name: student
            user:
              token: not-checked
        """;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [GeneratedRegex("^/(api/v1|apis/(?<group>[^/]+)/v1)/namespaces/(?<ns>[^/]+)/(?<resource>[^/]+)(/(?<name>[^/]+))?(/(?<sub>[^/]+))?/?$")]
    private static partial Regex NamespacedPath();

    private async Task RespondAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        lock (_requests)
        {
            _requests.Add($"{request.Method} {request.Path}{request.QueryString}");
        }

        var path = request.Path.Value ?? "/";
        var match = NamespacedPath().Match(path);
        if (match.Success && request.Query["watch"] == "true")
        {
            await WatchAsync(context, match.Groups["resource"].Value, match.Groups["ns"].Value);
            return;
        }

        var (status, content) = RefusesCredentials
            ? (HttpStatusCode.Unauthorized, Status(401, "Unauthorized", "Unauthorized"))
            : path is "/version" or "/version/" ? (HttpStatusCode.OK, """{"major":"1","minor":"34","gitVersion":"v1.34.0"}""")
            : path == "/api/v1/nodes" ? (HttpStatusCode.OK, Locked(() => KubernetesJson.Serialize(new V1NodeList { Items = [.. _cluster.Nodes.Select(node => node.ToApi())] })))
            : match.Success ? Locked(() => Answer(context, request.Method, match, body))
            : NotFound(path);
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(content, context.RequestAborted);
    }

    private (HttpStatusCode, string) Answer(HttpContext context, string method, Match match, string body)
    {
        var (ns, resource, name, sub) = (match.Groups["ns"].Value, match.Groups["resource"].Value, match.Groups["name"].Value, match.Groups["sub"].Value);
        var query = context.Request.Query;
        switch (method, name.Length > 0, sub)
        {
            case ("GET", false, _):
                return (HttpStatusCode.OK, List(resource, ns, query["labelSelector"], query["fieldSelector"]));
            case ("GET", true, "proxy") when resource == "services" && name == DemoContract.Fetcher.Service:
                var answer = ServiceProxy.Get(_cluster, ns);
                foreach (var (header, value) in answer.Headers)
                {
                    context.Response.Headers[header] = value;
                }

                return (answer.Status, answer.Body);
            case ("GET", true, "log") when resource == "pods":
                return Log(ns, name, query["previous"] == "true");
            case ("GET", true, ""):
                return Find(resource, ns, name) is { } found ? (HttpStatusCode.OK, KubernetesJson.Serialize(found)) : NotFound($"{resource} \"{name}\"");
            case ("PATCH", true, _) when resource == "deployments" && _cluster.Store.Get<V1Deployment>(resource, ns, name) is { } deployment:
                Patch(deployment, sub, JsonNode.Parse(body)!);
                _cluster.Store.Put(resource, deployment);
                return (HttpStatusCode.OK, sub == "scale"
                    ? KubernetesJson.Serialize(new V1Scale { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = new V1ScaleSpec { Replicas = deployment.Spec.Replicas } })
                    : KubernetesJson.Serialize(deployment));
            default:
                return NotFound($"{resource} \"{name}\"");
        }
    }

    /// <summary>
    /// The two patches the tool sends: the restart annotation `kubectl rollout restart` sets (a strategic merge of the
    /// template's annotations), and the scale subresource's merge patch of spec.replicas. Either changes the spec, so
    /// the generation goes up and the controller has not observed it yet.
    /// </summary>
    private static void Patch(V1Deployment deployment, string sub, JsonNode patch)
    {
        if (sub == "scale")
        {
            deployment.Spec.Replicas = patch["spec"]!["replicas"]!.GetValue<int>();
        }
        else
        {
            var annotations = deployment.Spec.Template.Metadata.Annotations ??= new Dictionary<string, string>();
            foreach (var (key, value) in patch["spec"]!["template"]!["metadata"]!["annotations"]!.AsObject())
            {
                annotations[key] = value!.GetValue<string>();
            }
        }

        deployment.Metadata.Generation = (deployment.Metadata.Generation ?? 0) + 1;
    }

    private (HttpStatusCode, string) Log(string ns, string pod, bool previous)
    {
        var found = _cluster.Store.Get<V1Pod>("pods", ns, pod);
        return found is not null && _cluster.Runtimes.TryGetValue(found.Metadata.Uid, out var runtime) && previous && runtime.Restarts > 0
            ? (HttpStatusCode.OK, Workspace.CrashLog)
            : (HttpStatusCode.BadRequest, Status(400, "BadRequest", $"previous terminated container \"{found?.Spec.Containers[0].Name}\" in pod \"{pod}\" not found"));
    }

    private IKubernetesObject<V1ObjectMeta>? Find(string resource, string ns, string name) => resource switch
    {
        "deployments" => _cluster.Store.Get<V1Deployment>(resource, ns, name),
        "services" => _cluster.Store.Get<V1Service>(resource, ns, name),
        "pods" => _cluster.Store.Get<V1Pod>(resource, ns, name),
        _ => null,
    };

    private string List(string resource, string ns, string? labelSelector, string? fieldSelector)
    {
        var selector = Selector(labelSelector);
        var name = fieldSelector?.StartsWith("metadata.name=", StringComparison.Ordinal) == true ? fieldSelector["metadata.name=".Length..] : null;
        bool Wanted(V1ObjectMeta metadata) => SimCluster.Matches(metadata.Labels, selector) && (name is null || metadata.Name == name);
        var meta = new V1ListMeta { ResourceVersion = _cluster.Store.Version.ToString(CultureInfo.InvariantCulture) };
        return resource switch
        {
            "deployments" => KubernetesJson.Serialize(new V1DeploymentList { Metadata = meta, Items = [.. _cluster.Store.List<V1Deployment>(resource, ns).Where(item => Wanted(item.Metadata))] }),
            "replicasets" => KubernetesJson.Serialize(new V1ReplicaSetList { Metadata = meta, Items = [.. _cluster.Store.List<V1ReplicaSet>(resource, ns).Where(item => Wanted(item.Metadata))] }),
            "pods" => KubernetesJson.Serialize(new V1PodList { Metadata = meta, Items = Served([.. _cluster.Store.List<V1Pod>(resource, ns).Where(item => Wanted(item.Metadata))]) }),
            "endpointslices" => KubernetesJson.Serialize(new V1EndpointSliceList { Metadata = meta, Items = [.. _cluster.Store.List<V1EndpointSlice>(resource, ns).Where(item => Wanted(item.Metadata))] }),
            _ => KubernetesJson.Serialize(new V1ServiceList { Metadata = meta, Items = [] }),
        };
    }

    private List<V1Pod> Served(List<V1Pod> pods)
    {
        WaitingReasonsServed.UnionWith(pods.SelectMany(pod => pod.Status?.ContainerStatuses ?? []).Select(status => status.State?.Waiting?.Reason).OfType<string>());
        return pods;
    }

    /// <summary>A watch as the API server streams it: one JSON event per line, from the given version on, until dropped.</summary>
    private async Task WatchAsync(HttpContext context, string resource, string ns)
    {
        var query = context.Request.Query;
        var selector = Selector(query["labelSelector"]);
        var name = query["fieldSelector"].ToString() is { } field && field.StartsWith("metadata.name=", StringComparison.Ordinal) ? field["metadata.name=".Length..] : null;
        var feed = Locked(() => _cluster.Store.Watch(long.TryParse(query["resourceVersion"], out var version) ? version : _cluster.Store.Version));
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        if (ExpiresWatches)
        {
            Locked(() => _cluster.Store.StopWatching(feed));
            await context.Response.WriteAsync($$"""{"type":"ERROR","object":{{Status(410, "Expired", "too old resource version")}}}""" + "\n", context.RequestAborted);
            return;
        }

        try
        {
            await foreach (var change in feed.ReadAllAsync(context.RequestAborted))
            {
                if (change.Resource == resource && change.Namespace == ns && SimCluster.Matches(change.Labels, selector) && (name is null || change.Name == name))
                {
                    await context.Response.WriteAsync($$"""{"type":"{{change.Type}}","object":{{change.Json}}}""" + "\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The tool stopped watching.
        }
        finally
        {
            Locked(() => _cluster.Store.StopWatching(feed));
        }
    }

    private static Dictionary<string, string>? Selector(string? labelSelector) =>
        string.IsNullOrEmpty(labelSelector) ? null : labelSelector.Split(',').Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);

    private static (HttpStatusCode, string) NotFound(string what) => (HttpStatusCode.NotFound, Status(404, "NotFound", $"{what} not found"));

    private static string Status(int code, string reason, string message) =>
        $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"reason":"{{reason}}","code":{{code}}}""";

    private T Locked<T>(Func<T> read)
    {
        lock (_cluster.Gate)
        {
            return read();
        }
    }

    private void Locked(Action act)
    {
        lock (_cluster.Gate)
        {
            act();
        }
    }
}
