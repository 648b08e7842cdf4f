using System.Net;
using System.Text.Json;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.ClusterTool.Processes;
using MinikubeDemo.Contract;
using Spectre.Console;

namespace MinikubeDemo.ClusterTool.Images;

/// <summary>
/// The Images step: builds both images and puts them where the cluster's nodes look for them, since the pods
/// use <c>imagePullPolicy: Never</c>: every node must hold both. Each kind of cluster gets the commands its own
/// tools take; where a tool's exit code cannot be trusted (minikube's), the result is checked on every node.
/// </summary>
public sealed class ImagesStep
{
    /// <summary>A label that differs on every minikube build, so that a successful build always changes the image's ID.</summary>
    public const string BuildLabel = "minikube-demo.build";

    private readonly StepCommands _commands;
    private readonly IAnsiConsole _console;
    private readonly string _repositoryRoot;
    private readonly IReadOnlyDictionary<string, string> _baseImages;

    /// <param name="baseImages">The Dockerfiles' base-image build arguments to pass (<see cref="BaseImagesFromEnvironment"/>).</param>
    /// <param name="dockerEnvironment">For every docker command, e.g. the DOCKER_HOST that Testcontainers resolved.</param>
    public ImagesStep(IProcessRunner runner, IAnsiConsole console, string repositoryRoot, IReadOnlyDictionary<string, string> baseImages,
        IReadOnlyDictionary<string, string?>? dockerEnvironment = null)
    {
        _console = console;
        _repositoryRoot = repositoryRoot;
        _baseImages = baseImages;
        _commands = new StepCommands(runner, console, repositoryRoot)
        {
            EnvironmentByProgram = new Dictionary<string, IReadOnlyDictionary<string, string?>>
            {
                ["docker"] = dockerEnvironment ?? new Dictionary<string, string?>(),
            },
        };
    }

    /// <summary>The base-image build arguments this environment sets (SDK_IMAGE, RUNTIME_DEPS_IMAGE); unset ones keep the Dockerfiles' defaults.</summary>
    public static IReadOnlyDictionary<string, string> BaseImagesFromEnvironment() =>
        DemoContract.BaseImageArguments
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(argument => !string.IsNullOrEmpty(argument.Value))
            .ToDictionary(argument => argument.Name, argument => argument.Value!);

    /// <summary>Whether this process may talk to k3s's containerd itself; otherwise it goes through sudo.</summary>
    public bool RunsAsRoot { get; init; } = Environment.UserName == "root";

    private static IReadOnlyList<string> Images => DemoContract.Apps.Select(app => app.Image).ToList();

    public async Task RunAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        _console.MarkupLineInterpolated($"Building the images for the {cluster} (--cluster=<kind> to choose another).");
        switch (cluster.Kind)
        {
            case ClusterKind.Minikube:
                await MinikubeAsync(cluster, cancellationToken);
                break;
            case ClusterKind.Kind:
                await DockerBuildAsync(cancellationToken);
                await RunAsync("kind", ["load", "docker-image", .. Images, "--name", RequireName(cluster)], cancellationToken);
                break;
            case ClusterKind.K3d:
                await DockerBuildAsync(cancellationToken);
                // The default mode (tools-node) logs a node it could not import into and still exits 0; direct does not.
                await RunAsync("k3d", ["image", "import", .. Images, "--cluster", RequireName(cluster), "--mode", "direct"], cancellationToken);
                break;
            case ClusterKind.K3s:
                await DockerBuildAsync(cancellationToken);
                await K3sImportAsync(cluster, cancellationToken);
                break;
            case ClusterKind.RancherDesktop when cluster.Runtime == "containerd":
                // Rancher Desktop's containerd engine: nerdctl builds straight into the namespace the kubelet uses.
                await BuildAsync("nerdctl", ["--namespace", "k8s.io", "build"], cancellationToken);
                break;
            case ClusterKind.DockerDesktop when cluster.Nodes.Any(node => node.Name.StartsWith("desktop-", StringComparison.Ordinal)):
                throw new ClusterToolException(
                    "Docker Desktop's multi-node (kind) cluster keeps its own images, not Docker's, and this tool cannot load them there: " +
                    "in Docker Desktop's settings choose the kubeadm cluster (Settings > Kubernetes), or use minikube or kind.");
            case ClusterKind.DockerDesktop or ClusterKind.RancherDesktop:
                // Their kubelet runs on the Docker engine itself: what it has, the pods can run, if the docker CLI talks to that engine.
                await WarnIfAnotherEngineAsync(cluster, cancellationToken);
                await DockerBuildAsync(cancellationToken);
                break;
            case ClusterKind.Docker when cluster.Nodes.Count > 0:
                throw new ClusterToolException(
                    $"This tool does not know how to put images on the nodes of this cluster ({string.Join(", ", cluster.Nodes.Select(node => $"{node.Name}, {node.Runtime}"))}), " +
                    "and the pods use imagePullPolicy: Never. If it is one of minikube, kind, k3d, k3s, rancher-desktop or docker-desktop, say so with " +
                    "--cluster=<kind>; otherwise push the two images to a registry the cluster pulls from and change image and imagePullPolicy in k8s/.");
            default:
                // --cluster=docker: this Docker engine only, no cluster asked.
                await DockerBuildAsync(cancellationToken);
                break;
        }

        _console.MarkupLineInterpolated($"[green]Both images are where the {cluster} runs them.[/]");
    }

    /// <summary>Both images with <c>docker build</c>, from the repository root as the README does: for the Images step and the test tiers.</summary>
    public Task DockerBuildAsync(CancellationToken cancellationToken) => BuildAsync("docker", ["build"], cancellationToken);

    /// <summary>Whether each base image the build needs is here or can be pulled; null when all can, else why not.</summary>
    public async Task<string?> WhyBaseImagesUnavailableAsync(CancellationToken cancellationToken)
    {
        foreach (var image in await BaseImagesAsync(cancellationToken))
        {
            if ((await DockerAsync(["image", "inspect", "--format", "{{.Id}}", image], echo: false, cancellationToken)).Succeeded)
            {
                continue;
            }

            var pull = await DockerAsync(["pull", image], echo: false, cancellationToken);
            if (!pull.Succeeded)
            {
                return $"base image {image} is not here and cannot be pulled ({pull.LastLine}); where no registry is reachable, build stand-ins with " +
                       "docker/base-images/build.sh and set SDK_IMAGE and RUNTIME_DEPS_IMAGE to the names it prints";
            }
        }

        return null;
    }

    private async Task BuildAsync(string program, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var buildArguments = _baseImages.SelectMany(argument => new[] { "--build-arg", $"{argument.Key}={argument.Value}" }).ToList();
        foreach (var app in DemoContract.Apps)
        {
            await RunAsync(program, [.. command, "-f", app.Dockerfile, "-t", app.Image, .. buildArguments, "."], cancellationToken);
        }
    }

    /// <summary>The base images the Dockerfiles name: the environment's where set, else the defaults of their <c>ARG</c> lines.</summary>
    private async Task<IReadOnlyList<string>> BaseImagesAsync(CancellationToken cancellationToken)
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(_repositoryRoot, DemoContract.Apps[0].Dockerfile), cancellationToken);
        return DemoContract.BaseImageArguments
            .Select(name => _baseImages.TryGetValue(name, out var value)
                ? value
                : dockerfile.Single(line => line.StartsWith($"ARG {name}=", StringComparison.Ordinal))[$"ARG {name}=".Length..].Trim())
            .Distinct()
            .ToList();
    }

    /// <summary>
    /// Where this machine has a Docker engine, the images are built there (its exit code is true, and its cache and
    /// base images are the host's) and `minikube image load` copies them to every running node; otherwise each node
    /// builds them itself with `minikube image build --all`. Either way, each node is then checked for a new image,
    /// since neither minikube command reports a failure in its exit code (kubernetes/minikube#16576).
    /// </summary>
    private async Task MinikubeAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        var profile = RequireName(cluster);
        var before = await MinikubeNodeImagesAsync(cluster, cancellationToken);
        var build = Guid.NewGuid().ToString("N");
        var hostDocker = (await DockerAsync(["version", "--format", "{{.Server.Version}}"], echo: false, cancellationToken)).Succeeded;
        if (hostDocker)
        {
            await BuildAsync("docker", ["build", "--label", $"{BuildLabel}={build}"], cancellationToken);
            foreach (var image in Images)
            {
                await RunAsync("minikube", ["-p", profile, "image", "load", image], cancellationToken);
            }
        }
        else
        {
            await MinikubeBuildAsync(cluster, build, cancellationToken);
        }

        // Each build carries a new label, so one that worked always gives the image a new ID on every node.
        var after = await MinikubeNodeImagesAsync(cluster, cancellationToken);
        var stale = (from node in cluster.Nodes
                     from image in Images
                     let id = after[node.Name].GetValueOrDefault(image)
                     where id is null || id == before[node.Name].GetValueOrDefault(image)
                     select (node.Name, image, Missing: id is null)).ToList();
        if (stale.Count > 0)
        {
            var what = string.Join("; ", stale.Select(entry => $"{entry.image} on node {entry.Name} is {(entry.Missing ? "missing" : "the old build")}"));
            var where = hostDocker
                ? "minikube image load said it succeeded"
                : "minikube image build said it succeeded (the node builds it, so the base images must be pullable from inside it)";
            throw new ClusterToolException(
                $"{where}, but {what}: minikube reports success even when a build or load fails (kubernetes/minikube#16576). " +
                "The output above says what went wrong; fix it and run dotnet cake --target=Images again.");
        }
    }

    private async Task MinikubeBuildAsync(ClusterIdentity cluster, string build, CancellationToken cancellationToken)
    {
        var profile = RequireName(cluster);
        // minikube passes each --build-opt on as a flag of the node's builder: docker and podman take --build-arg
        // and --label, containerd's buildctl takes them as frontend options.
        var buildctl = cluster.Runtime == "containerd";
        string Option(string kind, string value) => buildctl ? $"--build-opt=opt={kind}:{value}" : $"--build-opt={kind}={value}";

        var options = _baseImages.Select(argument => Option("build-arg", $"{argument.Key}={argument.Value}")).Append(Option("label", $"{BuildLabel}={build}")).ToList();
        foreach (var app in DemoContract.Apps)
        {
            // Every node builds it: with --all the image is on each node, not only on the control plane.
            await RunAsync("minikube", ["-p", profile, "image", "build", "--all", "-t", app.Image, "-f", app.Dockerfile, .. options, "."], cancellationToken);
        }
    }

    /// <summary>Per node, the ID of each demo image it holds, read with crictl, which every minikube node has whatever its runtime.</summary>
    private async Task<Dictionary<string, Dictionary<string, string>>> MinikubeNodeImagesAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        var images = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes)
        {
            // Without -n, minikube ssh goes to the primary control plane; the others are named as the API names them.
            string[] target = node.Primary ? [] : ["-n", node.Name];
            var listed = await RunAsync("minikube", ["-p", RequireName(cluster), "ssh", .. target, "--", "sudo", "crictl", "images", "-o", "json"], cancellationToken, echo: false);
            images[node.Name] = DemoImageIds(listed.StandardOutput, node.Name);
        }

        return images;
    }

    /// <summary>The IDs of the demo's images in crictl's JSON listing, whatever registry prefix the runtime gave their tags.</summary>
    internal static Dictionary<string, string> DemoImageIds(string crictlJson, string node)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var listing = JsonDocument.Parse(crictlJson);
            foreach (var image in listing.RootElement.GetProperty("images").EnumerateArray())
            {
                var id = image.GetProperty("id").GetString() ?? "";
                var tags = image.TryGetProperty("repoTags", out var repoTags) && repoTags.ValueKind == JsonValueKind.Array
                    ? repoTags.EnumerateArray().Select(tag => tag.GetString() ?? "")
                    : [];
                foreach (var tag in tags)
                {
                    var local = tag.StartsWith("docker.io/library/", StringComparison.Ordinal) ? tag["docker.io/library/".Length..]
                        : tag.StartsWith("localhost/", StringComparison.Ordinal) ? tag["localhost/".Length..] : tag;
                    if (Images.Contains(local))
                    {
                        ids[local] = id;
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ClusterToolException($"The image list of minikube node {node} (sudo crictl images -o json) is not what crictl prints: {e.Message}", e);
        }

        return ids;
    }

    private async Task K3sImportAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        // k3s runs its own containerd, which takes images as a tar; `k3s ctr` talks to it as root, on this machine's node only.
        var local = cluster.Nodes.Where(IsThisMachine).ToList();
        var others = cluster.Nodes.Except(local).Select(node => node.Name).ToList();
        if (local.Count == 0)
        {
            throw new ClusterToolException(
                $"The cluster is k3s, but none of its nodes ({string.Join(", ", others)}) is this machine ({Dns.GetHostName()}): on each node, " +
                "`sudo k3s ctr images import <tar>` a tar of both images (docker save -o minikube-demo-images.tar " + string.Join(' ', Images) + "), " +
                "then dotnet cake --target=Deploy.");
        }

        var folder = Path.Combine(_repositoryRoot, "artifacts", "images");
        Directory.CreateDirectory(folder);
        var tar = Path.Combine(folder, "minikube-demo-images.tar");
        await DockerAsync(["save", "-o", tar, .. Images], echo: true, cancellationToken, required: true);
        string[] import = ["k3s", "ctr", "images", "import", tar];
        if (RunsAsRoot)
        {
            await RunAsync(import[0], import[1..], cancellationToken);
        }
        else
        {
            _console.MarkupLine("`k3s ctr` talks to k3s's containerd, which only root may: it runs with sudo.");
            await RunAsync("sudo", import, cancellationToken);
        }

        if (others.Count > 0)
        {
            throw new ClusterToolException(
                $"The images are on this machine's k3s node only, and pods may be scheduled on {string.Join(", ", others)}: copy {tar} to each of them " +
                "and run `sudo k3s ctr images import <tar>` there, then dotnet cake --target=Deploy.");
        }

        File.Delete(tar);
    }

    /// <summary>A node is this machine when its kubelet's host name is this machine's (the full name: k3s does not shorten it).</summary>
    private static bool IsThisMachine(ClusterNode node) =>
        new[] { node.HostName, node.Name }.Any(name => string.Equals(name, Dns.GetHostName(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Docker and Rancher Desktop name their Docker engine after their node; another name means the docker CLI talks to another engine.</summary>
    private async Task WarnIfAnotherEngineAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        var engine = await DockerAsync(["info", "--format", "{{.Name}}"], echo: false, cancellationToken);
        var name = engine.StandardOutput.Trim();
        if (engine.Succeeded && cluster.Nodes.Count == 1 && !string.Equals(name, cluster.Nodes[0].Name, StringComparison.OrdinalIgnoreCase))
        {
            _console.MarkupLineInterpolated(
                $"[yellow]The docker CLI talks to the engine {name}, but the cluster's node is {cluster.Nodes[0].Name}: if the pods then cannot find the images, point docker at the cluster's engine (docker context ls, docker context use ...).[/]");
        }
    }

    private static string RequireName(ClusterIdentity cluster) =>
        cluster.Name ?? throw new ClusterToolException(
            $"--cluster={ClusterIdentity.Describe(cluster.Kind)} needs the cluster's name, read from the kubectl context " +
            $"({ClusterIdentity.Describe(cluster.Kind)}-<name>): `kubectl config use-context {ClusterIdentity.Describe(cluster.Kind)}-<name>` first.");

    private Task<ProcessResult> DockerAsync(IReadOnlyList<string> arguments, bool echo, CancellationToken cancellationToken, bool required = false) =>
        _commands.RunAsync("docker", arguments, cancellationToken, echo, required);

    private Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool echo = true, bool required = true) =>
        _commands.RunAsync(program, arguments, cancellationToken, echo, required);
}
