using System.Globalization;
using System.Net;
using System.Threading.Channels;
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

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>
/// Just enough of a Kubernetes API server on loopback for the cluster tool: the two Deployments, the server
/// Service's EndpointSlices, pods and logs, nodes, the cluster DNS Deployment, the scale subresource, patches and
/// the fetcher's service proxy. Rollouts finish at once; the settable properties make the cluster misbehave.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    private const string PodPrefix = DemoContract.Server.Deployment + "-694d46996b-";

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<string> requests = [];
    private readonly List<(string Deployment, string Body, string? ContentType)> patches = [];
    private readonly List<(string Resource, Channel<string> Events)> watchers = [];
    private int proxiedRequests;
    private int dnsReads;
    private int resourceVersion = 1000;

    private FakeKubernetesApi(bool crashLooping)
    {
        CrashLooping = crashLooping;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.Run(RespondAsync);
    }

    public int Port { get; private set; }

    /// <summary>The namespace the demo's objects are in, and the kubeconfig context's namespace.</summary>
    public string Namespace { get; init; } = "default";

    public int ServerReplicas { get; private set; } = 2;

    /// <summary>The server Service's ClusterIP, which the fetcher reports connecting to (X-Upstream-Address).</summary>
    public const string ServerClusterIp = "198.18.100.10";

    /// <summary>The server Service's node port (it is a LoadBalancer).</summary>
    public const int ServerNodePort = 31843;

    /// <summary>Requests the fetcher answered through the service proxy.</summary>
    public int ProxiedRequests => Volatile.Read(ref proxiedRequests);

    /// <summary>List requests of Deployments, EndpointSlices and pods (not watches): a watch that drops is followed by a re-list.</summary>
    public int Lists { get; private set; }

    public bool CrashLooping { get; }

    /// <summary>Deployments that do not exist (404), e.g. one of the two after a half-finished deploy.</summary>
    public ISet<string> MissingDeployments { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The nodes the API lists: one minikube node unless set.</summary>
    public IReadOnlyList<V1Node> Nodes { get; set; } = [Node("minikube", "docker://28.4.0", "v1.34.0", new() { ["minikube.k8s.io/name"] = "minikube", ["minikube.k8s.io/primary"] = "true" })];

    /// <summary>How many reads of the cluster DNS Deployment see it unavailable before it is available; null: there is none.</summary>
    public int? DnsUnavailableReads { get; set; } = 0;

    /// <summary>How many proxied requests to the fetcher answer 502 (as while DNS is not ready) before the chapter's answer.</summary>
    public int ProxyFailures { get; set; }

    /// <summary>How long a proxied request waits before it answers: a stuck proxy.</summary>
    public TimeSpan ProxyDelay { get; set; }

    public string? ScalePatch { get; private set; }

    public string? ScalePatchContentType { get; private set; }

    /// <summary>Method, path and query of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (gate)
            {
                return requests.ToList();
            }
        }
    }

    /// <summary>Every PATCH of a Deployment (not its scale): name, body and content type.</summary>
    public IReadOnlyList<(string Deployment, string Body, string? ContentType)> DeploymentPatches
    {
        get
        {
            lock (gate)
            {
                return patches.ToList();
            }
        }
    }

    public KubernetesClientConfiguration ClientConfiguration => new() { Host = $"http://127.0.0.1:{Port}", Namespace = Namespace };

    /// <summary>A kubeconfig whose current context (named <paramref name="context"/>) points at this server.</summary>
    public string Kubeconfig(string context = "fake") => $"""
        apiVersion: v1
        kind: Config
        clusters:
          - name: fake
            cluster:
              server: http://127.0.0.1:{Port}
        contexts:
          - name: {context}
            context:
              cluster: fake
              user: fake
              namespace: {Namespace}
        current-context: {context}
        users:
          - name: fake
            user:
              token: not-checked
        """;

    /// <summary>A client configuration as the tool builds it from <see cref="Kubeconfig"/>, current context included.</summary>
    public KubernetesClientConfiguration ContextConfiguration(string context = "fake")
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Kubeconfig(context)));
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
    }

    public static string PodName(int index) => PodPrefix + index.ToString(CultureInfo.InvariantCulture);

    public static string PodAddress(int index) => string.Create(CultureInfo.InvariantCulture, $"198.18.0.{12 + index}");

    public static V1Node Node(string name, string runtime, string kubelet, Dictionary<string, string>? labels = null, string? providerId = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? [] },
        Spec = new V1NodeSpec { ProviderID = providerId },
        Status = new V1NodeStatus { NodeInfo = new V1NodeSystemInfo { ContainerRuntimeVersion = runtime, KubeletVersion = kubelet } },
    };

    /// <summary>Starts the fake on a free loopback port; <paramref name="crashLooping"/> makes one server pod crash.</summary>
    public static async Task<FakeKubernetesApi> StartAsync(bool crashLooping = false, string @namespace = "default")
    {
        var api = new FakeKubernetesApi(crashLooping) { Namespace = @namespace };
        await api.app.StartAsync(TestContext.Current.CancellationToken);
        var address = api.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        api.Port = new Uri(address).Port;
        return api;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task RespondAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        lock (gate)
        {
            requests.Add($"{request.Method} {request.Path}{request.QueryString}");
        }

        if (request.Query["watch"] == "true")
        {
            await WatchAsync(request.Path.Value ?? "", context);
            return;
        }

        var (status, contentType, content) = await AnswerAsync(request, body, context.Response, context.RequestAborted);
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(content, context.RequestAborted);
    }

    private async Task<(HttpStatusCode, string, string)> AnswerAsync(HttpRequest request, string body, HttpResponse response, CancellationToken aborted)
    {
        const string Json = "application/json";
        var path = request.Path.Value ?? "/";
        var apps = $"/apis/apps/v1/namespaces/{Namespace}/deployments/";
        var core = $"/api/v1/namespaces/{Namespace}/";
        switch (request.Method, path)
        {
            case ("GET", "/version" or "/version/"):
                return (HttpStatusCode.OK, Json, """{"major":"1","minor":"34","gitVersion":"v1.34.1"}""");
            case ("GET", "/api/v1/nodes"):
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1NodeList { Items = [.. Nodes] }));
            case ("GET", "/apis/apps/v1/namespaces/kube-system/deployments"):
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1DeploymentList { Items = DnsDeployments() }));
            case ("GET", _) when path.StartsWith(apps, StringComparison.Ordinal) && MissingDeployments.Contains(path[apps.Length..]):
            case ("PATCH", _) when path.StartsWith(apps, StringComparison.Ordinal) && MissingDeployments.Contains(path[apps.Length..]):
                return NotFound();
            case ("GET", _) when path == apps + DemoContract.Server.Deployment:
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(ServerDeployment()));
            case ("GET", _) when path == apps + DemoContract.Fetcher.Deployment:
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(FetcherDeployment()));
            case ("GET", _) when path == $"/apis/apps/v1/namespaces/{Namespace}/deployments":
                Lists++;
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1DeploymentList { Metadata = ListMeta(), Items = [ServerDeployment()] }));
            case ("GET", _) when path == core + $"services/{DemoContract.Server.Service}":
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(ServerService()));
            case ("PATCH", _) when path == apps + DemoContract.Server.Deployment + "/scale":
                ScalePatch = body;
                ScalePatchContentType = request.ContentType;
                SetServerReplicas(KubernetesJson.Deserialize<V1Scale>(body).Spec.Replicas!.Value);
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1Scale { Spec = new V1ScaleSpec { Replicas = ServerReplicas } }));
            case ("PATCH", _) when path.StartsWith(apps, StringComparison.Ordinal):
                var name = path[apps.Length..];
                lock (gate)
                {
                    patches.Add((name, body, request.ContentType));
                }

                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(Deployment(name, name, 1, 1)));
            case ("GET", _) when path == $"/apis/discovery.k8s.io/v1/namespaces/{Namespace}/endpointslices":
                Lists++;
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1EndpointSliceList { Metadata = ListMeta(), Items = [ServerSlice()] }));
            case ("GET", _) when path == core + "pods":
                Lists++;
                // The fetcher's pods are left out: nothing is wrong with them here.
                var serverPods = request.Query["labelSelector"] == $"{DemoContract.AppLabel}={DemoContract.Server.Name}" ? ServerPods() : [];
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1PodList { Metadata = ListMeta(), Items = serverPods }));
            case ("GET", _) when path == core + $"services/{DemoContract.Fetcher.Service}/proxy/":
                await Task.Delay(ProxyDelay, aborted);
                var answered = Interlocked.Increment(ref proxiedRequests);
                if (answered <= ProxyFailures)
                {
                    return (HttpStatusCode.BadGateway, "application/problem+json", """{"title":"The upstream server could not be reached","status":502}""");
                }

                // Two connections' worth of answers from each pod in turn, like the fetcher's round robin.
                response.Headers[DemoContract.Headers.UpstreamInstance] = PodName(answered / 2 % ReadyServerPods);
                response.Headers[DemoContract.Headers.UpstreamAddress] = $"{ServerClusterIp}:{DemoContract.Port}";
                return (HttpStatusCode.OK, Json, DemoContract.Fetcher.Body);
            case ("GET", _) when path.EndsWith("/log", StringComparison.Ordinal):
                return (HttpStatusCode.OK, "text/plain", "Unhandled exception. System.InvalidOperationException: Upstream:BaseUrl is not a URL\n   at Program.<Main>$\n");
            default:
                return NotFound();
        }
    }

    /// <summary>What `kubectl scale` does to the fake: the Deployment, its pods and its Service's endpoints change, and every watch hears it.</summary>
    public void SetServerReplicas(int replicas)
    {
        var before = ServerReplicas;
        ServerReplicas = replicas;
        Publish("deployments", "MODIFIED", ServerDeployment());
        foreach (var index in Enumerable.Range(Math.Min(before, replicas), Math.Abs(replicas - before)))
        {
            Publish("pods", replicas > before ? "ADDED" : "DELETED", ServerPods(Math.Max(before, replicas))[index]);
        }

        Publish("endpointslices", "MODIFIED", ServerSlice());
    }

    /// <summary>Ends every open watch, as an API server does when it restarts or a connection drops.</summary>
    public void DropWatches()
    {
        lock (gate)
        {
            foreach (var (_, events) in watchers)
            {
                events.Writer.TryComplete();
            }

            watchers.Clear();
        }
    }

    /// <summary>How many watches are open, for tests that wait until the tool listens.</summary>
    public int OpenWatches
    {
        get
        {
            lock (gate)
            {
                return watchers.Count;
            }
        }
    }

    private void Publish(string resource, string type, object item)
    {
        var metadata = ((IMetadata<V1ObjectMeta>)item).Metadata;
        metadata.ResourceVersion = Interlocked.Increment(ref resourceVersion).ToString(CultureInfo.InvariantCulture);
        var line = $$"""{"type":"{{type}}","object":{{KubernetesJson.Serialize(item)}}}""" + "\n";
        lock (gate)
        {
            foreach (var (watched, events) in watchers.Where(watcher => watcher.Resource == resource))
            {
                events.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>A watch as the API server streams it: one JSON event per line, as the objects change, until dropped.</summary>
    private async Task WatchAsync(string path, HttpContext context)
    {
        var resource = path[(path.LastIndexOf('/') + 1)..];
        var events = Channel.CreateUnbounded<string>();
        lock (gate)
        {
            watchers.Add((resource, events));
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            await foreach (var line in events.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The tool stopped watching.
        }
        finally
        {
            lock (gate)
            {
                watchers.RemoveAll(watcher => watcher.Events == events);
            }
        }
    }

    private V1ListMeta ListMeta() => new() { ResourceVersion = Volatile.Read(ref resourceVersion).ToString(CultureInfo.InvariantCulture) };

    private V1Deployment ServerDeployment() => Deployment(DemoContract.Server.Deployment, DemoContract.Server.Name, ServerReplicas, ReadyServerPods);

    private static V1Deployment FetcherDeployment()
    {
        var fetcher = Deployment(DemoContract.Fetcher.Deployment, DemoContract.Fetcher.Name, 1, 1);
        fetcher.Spec.Template.Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = DemoContract.Fetcher.Name, Env = [new V1EnvVar { Name = "Upstream__BaseUrl", Value = DemoContract.Fetcher.UpstreamUrl }] }],
        };
        return fetcher;
    }

    private V1Service ServerService() => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = DemoContract.Server.Service, NamespaceProperty = Namespace },
        Spec = new V1ServiceSpec
        {
            Type = "LoadBalancer",
            ClusterIP = ServerClusterIp,
            Ports = [new V1ServicePort { Port = DemoContract.Port, TargetPort = DemoContract.Port, NodePort = ServerNodePort, Protocol = "TCP" }],
        },
    };

    private static (HttpStatusCode, string, string) NotFound() =>
        (HttpStatusCode.NotFound, "application/json", """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");

    private int ReadyServerPods => CrashLooping ? ServerReplicas - 1 : ServerReplicas;

    private List<V1Deployment> DnsDeployments()
    {
        if (DnsUnavailableReads is not { } unavailable)
        {
            return [];
        }

        var reads = Interlocked.Increment(ref dnsReads);
        return [Deployment("coredns", "kube-dns", 1, reads > unavailable ? 1 : 0)];
    }

    private static V1Deployment Deployment(string name, string app, int replicas, int ready) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, Generation = 1 },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [DemoContract.AppLabel] = app } },
            Template = new V1PodTemplateSpec(),
        },
        Status = new V1DeploymentStatus
        {
            ObservedGeneration = 1,
            Replicas = replicas,
            UpdatedReplicas = replicas,
            ReadyReplicas = ready,
            AvailableReplicas = ready,
        },
    };

    private V1EndpointSlice ServerSlice() => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        AddressType = "IPv4",
        Metadata = new V1ObjectMeta { Name = DemoContract.Server.Service + "-abcde" },
        Ports = [new Discoveryv1EndpointPort { Port = DemoContract.Port, Protocol = "TCP" }],
        Endpoints = Enumerable.Range(0, ServerReplicas)
            .Select(index => new V1Endpoint
            {
                Addresses = [PodAddress(index)],
                Conditions = new V1EndpointConditions { Ready = index < ReadyServerPods },
                NodeName = NodeName,
                TargetRef = new V1ObjectReference { Kind = "Pod", Name = PodName(index) },
            })
            .ToList(),
    };

    private const string NodeName = "minikube";

    private List<V1Pod> ServerPods() => ServerPods(ServerReplicas);

    private List<V1Pod> ServerPods(int replicas) => Enumerable.Range(0, replicas)
        .Select(index =>
        {
            var ready = index < ReadyServerPods;
            var status = ready
                ? new V1ContainerStatus { Name = DemoContract.Server.Name, Image = DemoContract.Server.Image, Ready = true, State = new V1ContainerState { Running = new V1ContainerStateRunning() } }
                : new V1ContainerStatus
                {
                    Name = DemoContract.Server.Name,
                    Image = DemoContract.Server.Image,
                    RestartCount = 3,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
                    LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error" } },
                };
            return new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta { Name = PodName(index) },
                Spec = new V1PodSpec { NodeName = NodeName, Containers = [new V1Container { Name = DemoContract.Server.Name }] },
                Status = new V1PodStatus
                {
                    Phase = "Running",
                    PodIP = PodAddress(index),
                    Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
                    ContainerStatuses = [status],
                },
            };
        })
        .ToList();
}
