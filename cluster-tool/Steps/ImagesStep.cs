using MinikubeDemo.ClusterTool.Cluster;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// The Images step: builds both images and puts them where the cluster's nodes look for them, since the pods use
/// <c>imagePullPolicy: Never</c>: every node must hold both. Each kind of cluster gets the commands its own tools take;
/// minikube's, whose exit codes cannot be trusted, are in <see cref="MinikubeImages"/>.
/// </summary>
internal sealed class ImagesStep(ToolHost host)
{
    private readonly StepCommands _commands = new(host);

    public static IReadOnlyList<string> Images { get; } = [.. DemoContract.Apps.Select(app => app.Image)];

    /// <param name="inNodes">Where minikube builds: in its nodes (true), on this machine (false), or in its nodes only where this machine has no Docker engine (null).</param>
    public async Task RunAsync(ClusterIdentity cluster, bool? inNodes, CancellationToken cancellationToken)
    {
        host.Console.MarkupLineInterpolated($"Building the images for the {cluster} (--cluster=<kind> to choose another).");
        if (inNodes == true && cluster.Kind != ClusterKind.Minikube)
        {
            throw new ClusterToolException($"--build-in node: only minikube builds images in its nodes (minikube image build); the {cluster} gets them from this machine.");
        }

        switch (cluster.Kind)
        {
            case ClusterKind.Minikube:
                await new MinikubeImages(host, this).RunAsync(cluster, inNodes, cancellationToken);
                break;
            case ClusterKind.Kind:
                // kind loads onto every node, and exits 1 when a node's import fails (pkg/cmd/kind/load/docker-image/docker-image.go).
                await BuildAsync("docker", ["build"], cancellationToken);
                await _commands.RunAsync("kind", ["load", "docker-image", .. Images, "--name", RequireName(cluster)], cancellationToken);
                break;
            case ClusterKind.K3d:
                await BuildAsync("docker", ["build"], cancellationToken);
                // The default mode (tools-node) logs a node it could not import into and still exits 0; direct does not
                // (k3d's pkg/client/tools.go, importWithToolsNode and importWithStream).
                await _commands.RunAsync("k3d", ["image", "import", .. Images, "--cluster", RequireName(cluster), "--mode", "direct"], cancellationToken);
                break;
            case ClusterKind.K3s:
                await BuildAsync("docker", ["build"], cancellationToken);
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
                await BuildAsync("docker", ["build"], cancellationToken);
                break;
            case ClusterKind.Docker when cluster.Nodes.Count > 0:
                throw new ClusterToolException(
                    $"This tool does not know how to put images on the nodes of this cluster ({string.Join(", ", cluster.Nodes.Select(node => $"{node.Name}, {node.Runtime}"))}), " +
                    "and the pods use imagePullPolicy: Never. If it is one of minikube, kind, k3d, k3s, rancher-desktop or docker-desktop, say so with " +
                    "--cluster=<kind>; otherwise push the two images to a registry the cluster pulls from and change image and imagePullPolicy in k8s/.");
            default:
                // --cluster=docker: this Docker engine only, no cluster asked.
                await BuildAsync("docker", ["build"], cancellationToken);
                break;
        }

        host.Console.MarkupLineInterpolated($"[green]Both images are where the {cluster} runs them.[/]");
    }

    /// <summary>Both images with <paramref name="program"/>'s build (docker's, nerdctl's), from the repository root as the README does.</summary>
    internal async Task BuildAsync(string program, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var buildArguments = host.BaseImages.SelectMany(argument => new[] { "--build-arg", $"{argument.Key}={argument.Value}" }).ToList();
        foreach (var app in DemoContract.Apps)
        {
            await _commands.RunAsync(program, [.. command, "-f", app.Dockerfile, "-t", app.Image, .. buildArguments, "."], cancellationToken);
        }
    }

    /// <summary>`docker save` of both images into one tar under artifacts/images/, for the tools that import a tar.</summary>
    internal async Task<string> SaveAsync(CancellationToken cancellationToken)
    {
        var folder = Path.Combine(host.Repository, "artifacts", "images");
        Directory.CreateDirectory(folder);
        var tar = Path.Combine(folder, "minikube-demo-images.tar");
        await _commands.RunAsync("docker", ["save", "-o", tar, .. Images], cancellationToken);
        return tar;
    }

    internal static string RequireName(ClusterIdentity cluster) =>
        cluster.Name ?? throw new ClusterToolException(
            $"--cluster={ClusterIdentity.Describe(cluster.Kind)} needs the cluster's name, read from the kubectl context " +
            $"({ClusterIdentity.Describe(cluster.Kind)}-<name>): `kubectl config use-context {ClusterIdentity.Describe(cluster.Kind)}-<name>` first.");

    /// <summary>A node is this machine when its kubelet's host name is this machine's (the full name: k3s does not shorten it).</summary>
    internal bool IsThisMachine(ClusterNode node) =>
        new[] { node.HostName, node.Name }.Any(name => string.Equals(name, host.MachineName, StringComparison.OrdinalIgnoreCase));

    private async Task K3sImportAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        // k3s runs its own containerd, which takes images as a tar; `k3s ctr` talks to it (namespace k8s.io) as root,
        // on this machine's node only (k3s's pkg/ctr/main.go).
        var local = cluster.Nodes.Where(IsThisMachine).ToList();
        var others = cluster.Nodes.Except(local).Select(node => node.Name).ToList();
        if (local.Count == 0)
        {
            throw new ClusterToolException(
                $"The cluster is k3s, but none of its nodes ({string.Join(", ", others)}) is this machine ({host.MachineName}): on each node, " +
                "`sudo k3s ctr images import <tar>` a tar of both images (docker save -o minikube-demo-images.tar " + string.Join(' ', Images) + "), " +
                "then dotnet cake --target=Deploy.");
        }

        var tar = await SaveAsync(cancellationToken);
        string[] import = ["k3s", "ctr", "images", "import", tar];
        if (host.RunsAsRoot)
        {
            await _commands.RunAsync(import[0], import[1..], cancellationToken);
        }
        else
        {
            host.Console.MarkupLine("`k3s ctr` talks to k3s's containerd, which only root may: it runs with sudo.");
            await _commands.RunAsync("sudo", import, cancellationToken);
        }

        if (others.Count > 0)
        {
            throw new ClusterToolException(
                $"The images are on this machine's k3s node only, and pods may be scheduled on {string.Join(", ", others)}: copy {tar} to each of them " +
                "and run `sudo k3s ctr images import <tar>` there, then dotnet cake --target=Deploy.");
        }

        File.Delete(tar);
    }

    /// <summary>Docker and Rancher Desktop name their Docker engine after their node; another name means the docker CLI talks to another engine.</summary>
    private async Task WarnIfAnotherEngineAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        var engine = await _commands.RunAsync("docker", ["info", "--format", "{{.Name}}"], cancellationToken, echo: false, required: false);
        var name = engine.StandardOutput.Trim();
        if (engine.Succeeded && cluster.Nodes.Count == 1 && !string.Equals(name, cluster.Nodes[0].Name, StringComparison.OrdinalIgnoreCase))
        {
            host.Console.MarkupLineInterpolated(
                $"[yellow]The docker CLI talks to the engine {name}, but the cluster's node is {cluster.Nodes[0].Name}: if the pods then cannot find the images, point docker at the cluster's engine (docker context ls, docker context use ...).[/]");
        }
    }
}
