using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Commands;
using Spectre.Console.Testing;

namespace MinikubeDemo.Cluster.Tests.StandIn;

/// <summary>What one command printed, and its exit code.</summary>
internal sealed record CommandRun(int ExitCode, string Output)
{
    public override string ToString() => $"exit code {ExitCode}:{Environment.NewLine}{Output}";
}

/// <summary>
/// A student's machine and cluster for a whole session: the stand-in cluster with its API server, the programs on the
/// machine, a checkout of the repository's manifests and a kubeconfig, and the cluster tool run in process on them,
/// command after command, as `dotnet cake` runs it.
/// </summary>
internal sealed class StudentSession : IAsyncDisposable
{
    /// <summary>This machine's host name, which a k3s or minikube-none node on it reports.</summary>
    public const string Machine = "student-laptop";

    private readonly string _root = Directory.CreateTempSubdirectory("student-").FullName;

    private StudentSession(SimCluster cluster, Func<ToolBox, ToolBox> install, bool root)
    {
        Cluster = cluster;
        Directory.CreateDirectory(Path.Combine(_root, "k8s"));
        foreach (var manifest in Directory.GetFiles(RepositoryPaths.ManifestDirectory, "*.yaml"))
        {
            File.Copy(manifest, Path.Combine(_root, "k8s", Path.GetFileName(manifest)));
        }

        Tools = install(new ToolBox(cluster) { TempDirectory = Directory.CreateDirectory(Path.Combine(_root, "tmp")).FullName, CallerIsRoot = root }
            .Install("docker", call => Docker.Run(cluster, call, EngineName))
            .Install("kubectl", call => Kubectl.Run(cluster, call)));
    }

    public SimCluster Cluster { get; }

    /// <summary>The cluster tool's commands build.cake's Default target runs when a cluster answers.</summary>
    private static readonly string[] CakeDefault = ["reachable", "images", "deploy", "verify"];

    public ToolBox Tools { get; }

    public ApiServer Api { get; private set; } = null!;

    /// <summary>The repository checkout the tool builds and deploys from (its k8s/ is the real one).</summary>
    public string Root => _root;

    /// <summary>What `docker info` names the engine the docker CLI talks to.</summary>
    public string EngineName { get; set; } = Machine;

    public string Namespace { get; init; } = "default";

    /// <summary>The base-image build arguments the student's environment sets (SDK_IMAGE, RUNTIME_DEPS_IMAGE).</summary>
    public Dictionary<string, string> BaseImages { get; } = [];

    /// <summary>The cluster tool, in process, on this machine; a fresh console each time, wide enough that no line wraps.</summary>
    public async Task<CommandRun> RunAsync(params string[] arguments)
    {
        using var console = new TestConsole().Width(250);
        var kubeconfig = Path.Combine(_root, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, Api.Kubeconfig(Namespace), TestContext.Current.CancellationToken);
        var host = new ToolHost(Tools, console)
        {
            KubeconfigFiles = [kubeconfig],
            RepositoryRoot = _root,
            PollInterval = TimeSpan.FromMilliseconds(20),
            RunsAsRoot = Tools.CallerIsRoot,
            MachineName = Machine,
            BaseImages = BaseImages,
        };
        var exitCode = await ToolApp.RunAsync(arguments, host, TestContext.Current.CancellationToken);
        // `dotnet test --output detailed` shows what the student saw.
        TestContext.Current.TestOutputHelper?.WriteLine($"$ cluster-tool {string.Join(' ', arguments)}{Environment.NewLine}{console.Output}(exit code {exitCode}){Environment.NewLine}");
        return new CommandRun(exitCode, console.Output);
    }

    /// <summary>`dotnet cake` with a cluster: Images, Deploy, Verify, stopping at the first that fails, as build.cake runs them.</summary>
    public async Task<CommandRun> DotnetCakeAsync()
    {
        var output = new List<string>();
        foreach (var command in CakeDefault)
        {
            var run = await RunAsync(command);
            output.Add(run.Output);
            if (run.ExitCode != 0)
            {
                return run with { Output = string.Join(Environment.NewLine, output) };
            }
        }

        return new CommandRun(0, string.Join(Environment.NewLine, output));
    }

    public static Task<StudentSession> MinikubeAsync(int nodes = 1, string runtime = "docker", string driver = "docker", bool hostDocker = true)
    {
        var host = hostDocker ? new ImageStore("host docker") : null;
        var members = Enumerable.Range(1, nodes).Select(index =>
        {
            // The none driver runs the kubelet on this machine, with its Docker engine (bsutil.KubeNodeName).
            var name = driver == "none" ? Machine : index == 1 ? "minikube" : $"minikube-m{index:D2}";
            var node = new SimNode(name, runtime, driver == "none" ? host! : new ImageStore(name));
            // pkg/minikube/bootstrapper/kubeadm/kubeadm.go labelAndUntaintNode.
            node.Labels["minikube.k8s.io/name"] = "minikube";
            node.Labels["minikube.k8s.io/primary"] = index == 1 ? "true" : "false";
            return node;
        });
        var cluster = new SimCluster("minikube", members, host);
        return StartAsync(cluster, tools => tools.Install("minikube", new Minikube(cluster, "minikube", driver, tools.TempDirectory).Run));
    }

    public static Task<StudentSession> KindAsync(int nodes = 1)
    {
        var members = Enumerable.Range(0, nodes).Select(index => index == 0 ? "chapter-control-plane" : $"chapter-worker{(index == 1 ? "" : index)}")
            .Select(name => new SimNode(name, "containerd", new ImageStore(name)) { ProviderId = $"kind://docker/chapter/{name}" });
        var cluster = new SimCluster("kind-chapter", members, new ImageStore("host docker"));
        return StartAsync(cluster, tools => tools.Install("kind", call => Kind.Run(cluster, call, "chapter")));
    }

    public static Task<StudentSession> K3dAsync()
    {
        SimNode[] members = [K3dNode("k3d-demo-server-0"), K3dNode("k3d-demo-agent-0")];
        var cluster = new SimCluster("k3d-demo", members, new ImageStore("host docker"));
        return StartAsync(cluster, tools => tools.Install("k3d", call => K3d.Run(cluster, call, "demo")));
    }

    private static SimNode K3dNode(string name) => new(name, "containerd", new ImageStore(name)) { KubeletVersion = "v1.34.1+k3s1" };

    /// <summary>k3s on this machine (its node reports this machine's host name), and on <paramref name="otherNodes"/> elsewhere.</summary>
    public static Task<StudentSession> K3sAsync(bool root = false, params string[] otherNodes)
    {
        var here = new SimNode("k3s-server", "containerd", new ImageStore("k3s")) { KubeletVersion = "v1.34.1+k3s1" };
        here.Labels["kubernetes.io/hostname"] = Machine;
        var members = otherNodes.Select(name => new SimNode(name, "containerd", new ImageStore(name)) { KubeletVersion = "v1.34.1+k3s1" }).Prepend(here);
        var cluster = new SimCluster("default", members, new ImageStore("host docker"));
        return StartAsync(cluster, tools => tools.Install("k3s", call => K3s.Run(cluster, call, Machine)), root);
    }

    /// <summary>Rancher Desktop on containerd (nerdctl builds into the node's store) or on moby (its node's store is the Docker engine's).</summary>
    public static Task<StudentSession> RancherDesktopAsync(string runtime)
    {
        var node = runtime == "containerd" ? new SimNode("lima-rancher-desktop", runtime, new ImageStore("rancher containerd")) : new SimNode("lima-rancher-desktop", runtime, new ImageStore("rancher moby"));
        var cluster = new SimCluster("rancher-desktop", [node], runtime == "containerd" ? null : node.Images);
        return StartAsync(cluster, tools => tools.Install("nerdctl", call => Nerdctl.Run(cluster, call)), engine: "lima-rancher-desktop");
    }

    /// <summary>Docker Desktop's kubeadm cluster, whose kubelet uses the Docker engine's images; or its multi-node kind mode, which does not.</summary>
    public static Task<StudentSession> DockerDesktopAsync(bool kindMode = false)
    {
        var engine = new ImageStore("docker desktop");
        SimNode[] members = kindMode
            ? [new SimNode("desktop-control-plane", "containerd", new ImageStore("desktop-control-plane")), new SimNode("desktop-worker", "containerd", new ImageStore("desktop-worker"))]
            : [new SimNode("docker-desktop", "docker", engine)];
        return StartAsync(new SimCluster("docker-desktop", members, engine), tools => tools, engine: "docker-desktop");
    }

    private static async Task<StudentSession> StartAsync(SimCluster cluster, Func<ToolBox, ToolBox> install, bool root = false, string engine = Machine)
    {
        var session = new StudentSession(cluster, install, root) { EngineName = engine };
        session.Api = await ApiServer.StartAsync(cluster);
        cluster.Start();
        return session;
    }

    /// <summary>`kubectl delete pod NAME --wait=false`, as the student types it in another terminal.</summary>
    public void DeletePod(string name)
    {
        lock (Cluster.Gate)
        {
            Cluster.Terminate(Cluster.Store.Get<k8s.Models.V1Pod>("pods", Namespace, name)!);
        }
    }

    /// <summary>The names of the server's pods that are running now, in name order.</summary>
    public IReadOnlyList<string> ServerPods()
    {
        lock (Cluster.Gate)
        {
            return [.. Cluster.Pods(Namespace, new Dictionary<string, string> { ["app"] = Contract.DemoContract.Server.Name })
                .Where(pod => pod.Metadata.DeletionTimestamp is null)
                .Select(pod => pod.Metadata.Name)];
        }
    }

    /// <summary>For each server pod that runs, the change of the code its container was started from.</summary>
    public IReadOnlyDictionary<string, int> ServerBuilds()
    {
        lock (Cluster.Gate)
        {
            return Cluster.Pods(Namespace, new Dictionary<string, string> { ["app"] = Contract.DemoContract.Server.Name })
                .Where(pod => pod.Metadata.DeletionTimestamp is null && Cluster.Runtimes.GetValueOrDefault(pod.Metadata.Uid)?.Image is not null)
                .ToDictionary(pod => pod.Metadata.Name, pod => Cluster.Runtimes[pod.Metadata.Uid].Image!.Build.Change);
        }
    }

    /// <summary>For each node, the change of the code its server image was built from (0: it has none).</summary>
    public IReadOnlyDictionary<string, int> NodeBuilds()
    {
        lock (Cluster.Gate)
        {
            return Cluster.Nodes.ToDictionary(node => node.Name, node => node.Images.Find(Contract.DemoContract.Server.Image)?.Build.Change ?? 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Api.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
