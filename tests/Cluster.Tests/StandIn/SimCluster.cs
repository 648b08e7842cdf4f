using System.Globalization;
using k8s.Models;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>
/// A cluster and the machine it runs on, kept across a whole session of commands: its nodes and their image stores,
/// the host's Docker engine, the API's objects, and the controllers and kubelets that move them. Time runs in ticks of
/// one cluster second (every <see cref="TickInterval"/> of real time); the durations the controllers and kubelets
/// use are the real ones in seconds, each cited where it is modelled. Only what the demo's commands touch is modelled.
/// </summary>
internal sealed class SimCluster : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random = new(1234);
    private Task _ticking = Task.CompletedTask;
    private int _nextPodAddress = 12;
    private int _nextClusterAddress = 10;
    private int _nextNodePort = 31843;

    public SimCluster(string context, IEnumerable<SimNode> nodes, ImageStore? hostDocker)
    {
        Context = context;
        Nodes = [.. nodes];
        HostDocker = hostDocker;
        Store.Put("deployments", CoreDns());
    }

    /// <summary>Held around every read and change, by the ticks, the API server and the tool stand-ins alike.</summary>
    public Lock Gate { get; } = new();

    public ObjectStore Store { get; } = new();

    /// <summary>The kubeconfig context that reaches this cluster (minikube, kind-&lt;name&gt;, docker-desktop, ...).</summary>
    public string Context { get; }

    public IReadOnlyList<SimNode> Nodes { get; }

    /// <summary>The host's Docker engine; null where there is none (the docker CLI then cannot reach a daemon).</summary>
    public ImageStore? HostDocker { get; }

    /// <summary>The student's checkout, which every build reads.</summary>
    public Workspace Source { get; } = new();

    /// <summary>Every image any tool built, by ID: what a saved tar refers to.</summary>
    public Dictionary<string, SimImage> Builds { get; } = [];

    /// <summary>What each pod's kubelet is doing with it, by pod UID.</summary>
    public Dictionary<string, PodRuntime> Runtimes { get; } = [];

    /// <summary>Seconds of cluster time so far.</summary>
    public long Now { get; private set; }

    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// False while the kubelets' Service informers have not listed yet, as on a cluster that just started: a container
    /// cannot be given its service variables and fails with CreateContainerConfigError (pkg/kubelet/kubelet_pods.go,
    /// makeEnvironmentVariables) until a later sync.
    /// </summary>
    public bool ServicesRead { get; set; } = true;

    /// <summary>When the cluster's DNS Deployment (CoreDNS) is available.</summary>
    public long DnsReadyAt { get; set; }

    /// <summary>Requests the fetcher Service answered through the API server's proxy.</summary>
    public int ProxiedRequests { get; set; }

    public void Start() => _ticking = Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(TickInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                lock (Gate)
                {
                    Tick();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session is over.
        }
    });

    /// <summary>One second of the cluster: every controller and kubelet syncs once, in the order their changes cascade.</summary>
    public void Tick()
    {
        Now++;
        DeploymentController.Sync(this);
        ReplicaSetController.Sync(this);
        Kubelet.Sync(this);
        EndpointSliceController.Sync(this);
        var dns = Store.Get<V1Deployment>("deployments", "kube-system", "coredns")!;
        dns.Status.AvailableReplicas = Now >= DnsReadyAt ? 1 : 0;
        Store.Put("deployments", dns);
    }

    /// <summary>Lets the cluster run until <paramref name="settled"/> holds (read under the lock), at most a minute of real time.</summary>
    public async Task UntilAsync(Func<bool> settled, string what)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromMinutes(1); waited += TickInterval)
        {
            lock (Gate)
            {
                if (settled())
                {
                    return;
                }
            }

            await Task.Delay(TickInterval);
        }

        throw new TimeoutException($"The stand-in cluster never got there: {what}");
    }

    /// <summary>The pods in <paramref name="namespace"/> whose labels include <paramref name="selector"/>'s.</summary>
    public List<V1Pod> Pods(string @namespace, IDictionary<string, string>? selector) =>
        [.. Store.List<V1Pod>("pods", @namespace).Where(pod => Matches(pod.Metadata.Labels, selector))];

    /// <summary>The value of one label or annotation, if set.</summary>
    public static string? Label(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    public static bool Matches(IDictionary<string, string>? labels, IDictionary<string, string>? selector) =>
        selector is null || selector.All(wanted => labels?.TryGetValue(wanted.Key, out var value) == true && value == wanted.Value);

    /// <summary>
    /// What `kubectl delete pod` and a controller's delete do: the pod gets a deletion timestamp and its 30 s grace
    /// period; its kubelet stops it and then removes it (pkg/kubelet/status/status_manager.go).
    /// </summary>
    public void Terminate(V1Pod pod)
    {
        pod.Metadata.DeletionTimestamp ??= DateTime.UtcNow;
        pod.Metadata.DeletionGracePeriodSeconds ??= pod.Spec.TerminationGracePeriodSeconds ?? 30;
        Store.Put("pods", pod);
    }

    public string NewPodAddress() => string.Create(CultureInfo.InvariantCulture, $"198.18.0.{_nextPodAddress++}");

    public string NewClusterAddress() => string.Create(CultureInfo.InvariantCulture, $"198.18.100.{_nextClusterAddress++}");

    public int NewNodePort() => _nextNodePort++;

    /// <summary>The five random characters the API server appends to a generateName (apiserver's names.SimpleNameGenerator).</summary>
    public string RandomSuffix()
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(Enumerable.Range(0, 5).Select(_ => Alphabet[_random.Next(Alphabet.Length)]));
    }

    /// <summary>Every image a container of a pod on <paramref name="node"/> was started from: what `docker rmi` refuses to remove (moby daemon/images/image_delete.go).</summary>
    public bool InUse(SimNode node, SimImage image) =>
        Store.List<V1Pod>("pods").Any(pod => pod.Spec.NodeName == node.Name && Runtimes.TryGetValue(pod.Metadata.Uid, out var runtime) && runtime.Image?.Id == image.Id);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _ticking;
        _stop.Dispose();
    }

    private static V1Deployment CoreDns() => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "coredns", NamespaceProperty = "kube-system", Labels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" }, Generation = 1 },
        Spec = new V1DeploymentSpec { Replicas = 1, Selector = new V1LabelSelector(), Template = new V1PodTemplateSpec() },
        Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 1, AvailableReplicas = 0 },
    };
}
