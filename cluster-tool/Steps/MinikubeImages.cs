using System.Text.Json;
using MinikubeDemo.ClusterTool.Cluster;
using MinikubeDemo.Contract;

namespace MinikubeDemo.ClusterTool.Steps;

/// <summary>
/// Both images on every node of a minikube profile. Where this machine has a Docker engine, the images are built
/// there (its exit code is true, and its cache and base images are the host's) and `minikube image load` copies them
/// to every running node; otherwise each node builds them itself with `minikube image build --all`. Either way, each
/// node is then checked for a new image, since neither minikube command reports a failure in its exit code.
/// </summary>
public sealed class MinikubeImages(ToolHost host, ImagesStep images)
{
    /// <summary>A label that differs on every build, so that a successful build always changes the image's ID.</summary>
    public const string BuildLabel = "minikube-demo.build";

    private readonly StepCommands _commands = new(host);

    public async Task RunAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var profile = ImagesStep.RequireName(cluster);
        var before = await NodeImagesAsync(cluster, cancellationToken);
        var build = Guid.NewGuid().ToString("N");
        var hostDocker = (await _commands.RunAsync("docker", ["version", "--format", "{{.Server.Version}}"], cancellationToken, echo: false, required: false)).Succeeded;
        if (hostDocker)
        {
            await images.BuildAsync("docker", ["build", "--label", $"{BuildLabel}={build}"], cancellationToken);
            foreach (var image in ImagesStep.Images)
            {
                await _commands.RunAsync("minikube", ["-p", profile, "image", "load", image], cancellationToken);
            }
        }
        else
        {
            await BuildInNodesAsync(cluster, build, cancellationToken);
        }

        // Each build carries a new label, so one that worked always gives the image a new ID on every node.
        var after = await NodeImagesAsync(cluster, cancellationToken);
        var stale = (from node in cluster.Nodes
                     from image in ImagesStep.Images
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

    private async Task BuildInNodesAsync(ClusterIdentity cluster, string build, CancellationToken cancellationToken)
    {
        var profile = ImagesStep.RequireName(cluster);
        // minikube passes each --build-opt on as a flag of the node's builder: docker and podman take --build-arg
        // and --label, containerd's buildctl takes them as frontend options.
        var buildctl = cluster.Runtime == "containerd";
        string Option(string kind, string value) => buildctl ? $"--build-opt=opt={kind}:{value}" : $"--build-opt={kind}={value}";

        var options = host.BaseImages.Select(argument => Option("build-arg", $"{argument.Key}={argument.Value}")).Append(Option("label", $"{BuildLabel}={build}")).ToList();
        foreach (var app in DemoContract.Apps)
        {
            // Every node builds it: with --all the image is on each node, not only on the control plane.
            await _commands.RunAsync("minikube", ["-p", profile, "image", "build", "--all", "-t", app.Image, "-f", app.Dockerfile, .. options, "."], cancellationToken);
        }
    }

    /// <summary>Per node, the ID of each demo image it holds, read with crictl, which every minikube node has whatever its runtime.</summary>
    private async Task<Dictionary<string, Dictionary<string, string>>> NodeImagesAsync(ClusterIdentity cluster, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes)
        {
            // Without -n, minikube ssh goes to the primary control plane; the others are named as the API names them.
            string[] target = node.Primary ? [] : ["-n", node.Name];
            var listed = await _commands.RunAsync("minikube", ["-p", ImagesStep.RequireName(cluster), "ssh", .. target, "--", "sudo", "crictl", "images", "-o", "json"], cancellationToken, echo: false);
            found[node.Name] = DemoImageIds(listed.StandardOutput, node.Name);
        }

        return found;
    }

    /// <summary>The IDs of the demo's images in crictl's JSON listing (cri-tools' cmd/crictl/image.go), whatever registry prefix the runtime gave their tags.</summary>
    public static Dictionary<string, string> DemoImageIds(string crictlJson, string node)
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
                    if (ImagesStep.Images.Contains(local))
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
}
