using System.Globalization;
using System.Net;
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
using MinikubeDemo.ClusterTool;
using MinikubeDemo.Contract;

namespace MinikubeDemo.Cluster.Tests.Tool;

/// <summary>
/// Just enough of a Kubernetes API server on loopback for the cluster tool: the two Deployments, the server
/// Service's EndpointSlices, pods and logs, the scale subresource and the fetcher's service proxy. Rollouts
/// finish at once; <see cref="CrashLooping"/> makes one server pod crash instead.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    private const string PodPrefix = DemoContract.Server.Deployment + "-694d46996b-";

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<string> requests = [];
    private int proxiedRequests;

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

    public int ServerReplicas { get; private set; } = 2;

    public bool CrashLooping { get; }

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

    public KubernetesClientConfiguration ClientConfiguration => new() { Host = $"http://127.0.0.1:{Port}", Namespace = "default" };

    /// <summary>A kubeconfig whose current context points at this server, for running the tool as a process.</summary>
    public string Kubeconfig => $"""
        apiVersion: v1
        kind: Config
        clusters:
          - name: fake
            cluster:
              server: http://127.0.0.1:{Port}
        contexts:
          - name: fake
            context:
              cluster: fake
              user: fake
              namespace: default
        current-context: fake
        users:
          - name: fake
            user:
              token: not-checked
        """;

    public static string PodName(int index) => PodPrefix + index.ToString(CultureInfo.InvariantCulture);

    public static string PodAddress(int index) => string.Create(CultureInfo.InvariantCulture, $"198.18.0.{12 + index}");

    /// <summary>Starts the fake on a free loopback port; <paramref name="crashLooping"/> makes one server pod crash.</summary>
    public static async Task<FakeKubernetesApi> StartAsync(bool crashLooping = false)
    {
        var api = new FakeKubernetesApi(crashLooping);
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

        var (status, contentType, content) = Answer(request, body, context.Response);
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(content, context.RequestAborted);
    }

    private (HttpStatusCode, string, string) Answer(HttpRequest request, string body, HttpResponse response)
    {
        const string Json = "application/json";
        var path = request.Path.Value ?? "/";
        switch (request.Method, path)
        {
            case ("GET", "/version" or "/version/"):
                return (HttpStatusCode.OK, Json, """{"major":"1","minor":"34","gitVersion":"v1.34.1"}""");
            case ("GET", "/apis/apps/v1/namespaces/default/deployments/" + DemoContract.Server.Deployment):
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(Deployment(DemoContract.Server.Deployment, DemoContract.Server.Name, ServerReplicas, ReadyServerPods)));
            case ("GET", "/apis/apps/v1/namespaces/default/deployments/" + DemoContract.Fetcher.Deployment):
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(Deployment(DemoContract.Fetcher.Deployment, DemoContract.Fetcher.Name, 1, 1)));
            case ("PATCH", "/apis/apps/v1/namespaces/default/deployments/" + DemoContract.Server.Deployment + "/scale"):
                ScalePatch = body;
                ScalePatchContentType = request.ContentType;
                ServerReplicas = KubernetesJson.Deserialize<V1Scale>(body).Spec.Replicas!.Value;
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1Scale { Spec = new V1ScaleSpec { Replicas = ServerReplicas } }));
            case ("GET", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"):
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1EndpointSliceList { Items = [ServerSlice()] }));
            case ("GET", "/api/v1/namespaces/default/pods"):
                // The fetcher's pods are left out: nothing is wrong with them here.
                var serverPods = request.Query["labelSelector"] == $"{DemoContract.AppLabel}={DemoContract.Server.Name}" ? ServerPods() : [];
                return (HttpStatusCode.OK, Json, KubernetesJson.Serialize(new V1PodList { Items = serverPods }));
            case ("GET", "/api/v1/namespaces/default/services/" + DemoContract.Fetcher.Service + "/proxy/"):
                // Two connections' worth of answers from each pod in turn, like the fetcher's round robin.
                var answered = Interlocked.Increment(ref proxiedRequests);
                response.Headers[DemoContract.Headers.UpstreamInstance] = PodName(answered / 2 % ReadyServerPods);
                return (HttpStatusCode.OK, Json, DemoContract.Fetcher.Body);
            case ("GET", _) when path.EndsWith("/log", StringComparison.Ordinal):
                return (HttpStatusCode.OK, "text/plain", "Unhandled exception. System.InvalidOperationException: Upstream:BaseUrl is not a URL\n   at Program.<Main>$\n");
            default:
                return (HttpStatusCode.NotFound, Json, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
        }
    }

    private int ReadyServerPods => CrashLooping ? ServerReplicas - 1 : ServerReplicas;

    private static V1Deployment Deployment(string name, string app, int replicas, int ready) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, Generation = 1 },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
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
        AddressType = "IPv4",
        Metadata = new V1ObjectMeta { Name = DemoContract.Server.Service + "-abcde" },
        Ports = [new Discoveryv1EndpointPort { Port = 8000, Protocol = "TCP" }],
        Endpoints = Enumerable.Range(0, ServerReplicas)
            .Select(index => new V1Endpoint { Addresses = [PodAddress(index)], Conditions = new V1EndpointConditions { Ready = index < ReadyServerPods } })
            .ToList(),
    };

    private List<V1Pod> ServerPods() => Enumerable.Range(0, ServerReplicas)
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
                Metadata = new V1ObjectMeta { Name = PodName(index) },
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
